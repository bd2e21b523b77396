// Keyboard steps of a range slider that suit its range. A native slider moves by its
// `step` per arrow key, and the x₀ slider's step is fine enough for dragging (1/1000 of
// the range or less): a keyboard user would press an arrow hundreds of times. Here the
// arrows move by a sensible fraction of the range and PageUp/PageDown by a bigger one;
// Home and End keep their native meaning. The slider then fires "input" and "change" as
// it does when a key moves it natively.

/** Fractions of the range an arrow key and a page key move by, unless told otherwise. */
export const ARROW_FRACTION = 1 / 100;
export const PAGE_FRACTION = 1 / 10;

const DIRECTION = {
  ArrowRight: ["arrow", 1], ArrowUp: ["arrow", 1], ArrowLeft: ["arrow", -1], ArrowDown: ["arrow", -1],
  PageUp: ["page", 1], PageDown: ["page", -1],
};

/**
 * The value a key press moves a slider to: `value + direction · amount`, kept inside
 * [min, max] and put on the slider's step grid (counted from min).
 *
 * Example: `keyStep(1, 0.06, 1, -3, 3, 0.001)` is `1.06`.
 */
export function keyStep(value, amount, direction, min, max, step) {
  let next = Math.min(max, Math.max(min, value + direction * amount));
  if (step > 0) next = min + Math.round((next - min) / step) * step;
  // a value a few ulps off the grid would read 1.0599999999999998
  next = Number(next.toPrecision(12));
  return Math.min(max, Math.max(min, next));
}

/**
 * Make `slider`'s arrow and page keys move by `arrow(span)` and `page(span)`, where
 * `span` is max − min at the time of the key press.
 *
 * @param {HTMLInputElement} slider an `<input type="range">`
 * @param {{arrow?: (span: number) => number, page?: (span: number) => number}} amounts
 */
export function keySteps(slider, {
  arrow = (span) => span * ARROW_FRACTION, page = (span) => span * PAGE_FRACTION,
} = {}) {
  slider.addEventListener("keydown", (event) => {
    const how = DIRECTION[event.key];
    if (!how || event.altKey || event.ctrlKey || event.metaKey || slider.disabled) return;
    const [kind, direction] = how;
    const min = Number(slider.min);
    const max = Number(slider.max);
    const step = slider.step === "any" ? 0 : Number(slider.step) || 1;
    const amount = (kind === "arrow" ? arrow : page)(max - min);
    const next = keyStep(Number(slider.value), amount, direction, min, max, step);
    event.preventDefault();
    if (next === Number(slider.value)) return;
    slider.value = String(next);
    slider.dispatchEvent(new Event("input", { bubbles: true }));
    slider.dispatchEvent(new Event("change", { bubbles: true }));
  });
}
