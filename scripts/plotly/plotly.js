// The page's Plotly: the core (scatter, the mode bar, legends, colour bars, shapes...)
// with the 2-D traces the contour, the 1-D view, the sweep and the network tab draw.
// It is the page's global `Plotly`, as a script tag of the full bundle would make it.
import Plotly from "plotly.js/lib/core";
import contour from "plotly.js/lib/contour";
import heatmap from "plotly.js/lib/heatmap";

Plotly.register([contour, heatmap]);
window.Plotly = Plotly;

export default Plotly;
