// "x range" and "y range" controls: two numbers each, from and to. A range is taken once
// both are numbers and from < to; otherwise the pair is marked invalid and nothing moves.
import { short } from "./state.js";
import { $ } from "./util.js";

export class RangeControl {
  /**
   * @param {string} id the fieldset's id; its inputs are `${id}-lo` and `${id}-hi`
   * @param {(range: number[]) => void} onChange called with a valid new range
   */
  constructor(id, onChange) {
    this.lo = $(`${id}-lo`);
    this.hi = $(`${id}-hi`);
    for (const input of [this.lo, this.hi]) {
      input.addEventListener("change", () => {
        const range = [Number(this.lo.value), Number(this.hi.value)];
        const valid = this.lo.value !== "" && this.hi.value !== ""
          && range.every(Number.isFinite) && range[0] < range[1];
        for (const box of [this.lo, this.hi]) box.toggleAttribute("aria-invalid", !valid);
        if (valid) onChange(range);
      });
    }
  }

  /** Show `range` (a pair, or null to leave the boxes as they are). A box whose text
   * the user has changed and not yet committed is left alone: a redraw never overwrites
   * what is being typed. */
  show(range) {
    if (!range) return;
    for (const [box, value] of [[this.lo, range[0]], [this.hi, range[1]]]) {
      const typing = box === document.activeElement && box.value !== box.dataset.shown;
      if (typing) continue;
      box.value = box.dataset.shown = short(value);
      box.removeAttribute("aria-invalid");
    }
  }
}

/** A range widened, if needed, to hold `value` with a margin of 15% of its span. */
export function widened(range, value) {
  if (!Number.isFinite(value)) return range;
  const [lo, hi] = range;
  const margin = 0.15 * (hi - lo);
  if (value < lo) return [value - margin, hi];
  if (value > hi) return [lo, value + margin];
  return range;
}
