// The 3-D view's traces (WebGL), loaded when the surface is first shown: importing this
// module registers them into the page's Plotly (the same core, in the shared chunk).
import Plotly from "plotly.js/lib/core";
import scatter3d from "plotly.js/lib/scatter3d";
import surface from "plotly.js/lib/surface";

Plotly.register([surface, scatter3d]);

export default Plotly;
