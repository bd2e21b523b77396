// Plotly.js, from static/vendor/plotly/ (a partial bundle: scripts/build_plotly.sh).
// The page's script tag of plotly.js is `async`: it runs as soon as it has arrived,
// while the page's own modules load, and makes the global `Plotly`. What draws waits for
// it, and for the 3-D traces before the first surface:
//
//   await plotlyReady();   // Plotly.react(...) of a contour, a heatmap, a scatter
//   await plotly3d();      // and of a surface or scatter3d
//
// Each is the ES module itself (imported once: a second import is the same module), so
// the 3-D traces (WebGL, a third of the bundle) load only when the 3-D view first opens,
// and register into the same Plotly (both entry points share one chunk of its code).

/** Resolves once `Plotly` exists (the 2-D traces: scatter, contour, heatmap). */
export const plotlyReady = () => import("../vendor/plotly/plotly.js");

/** Resolves once `Plotly` can draw the 3-D traces too (surface, scatter3d). */
export const plotly3d = () => Promise.all([plotlyReady(), import("../vendor/plotly/plotly-3d.js")]);
