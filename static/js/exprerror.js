// The function field's error box: the message, and the text with a caret under the column.

/** Characters of the expression shown around the caret when the text is long. */
const WINDOW = 64;

/**
 * @param {object} dom {box, caret, msg, input}
 * @param {string} expr the text the user typed
 * @param {string} message the server's message
 * @param {number|null} column 1-based column, or null when the error has no position
 * @param {boolean} keeping whether plots of an earlier, valid function stay on screen
 */
export function showExprError(dom, expr, message, column, keeping) {
  dom.msg.textContent = message;
  dom.keep.hidden = !keeping;
  if (column !== null && column >= 1) {
    let start = 0;
    if (expr.length > WINDOW) start = Math.max(0, Math.min(column - 1 - WINDOW / 2, expr.length - WINDOW));
    const shown = expr.slice(start, start + WINDOW);
    const prefix = start > 0 ? "…" : "";
    const suffix = start + WINDOW < expr.length ? "…" : "";
    const offset = prefix.length + (column - 1 - start);
    dom.caret.textContent = `${prefix}${shown}${suffix}\n${" ".repeat(offset)}^`;
    dom.caret.hidden = false;
  } else {
    dom.caret.textContent = "";
    dom.caret.hidden = true;
  }
  dom.box.hidden = false;
  dom.input.setAttribute("aria-invalid", "true");
}

export function clearExprError(dom) {
  dom.box.hidden = true;
  dom.msg.textContent = "";
  dom.caret.textContent = "";
  dom.input.removeAttribute("aria-invalid");
}
