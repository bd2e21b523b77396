// Small helpers every module shares: element lookup and debouncing.

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/**
 * `fn` called once input has paused for `ms`; `.cancel()` drops a pending call and
 * `.flush(...args)` makes it now.
 */
export function debounce(fn, ms) {
  let timer = null;
  const call = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  call.cancel = () => clearTimeout(timer);
  call.flush = (...args) => {
    clearTimeout(timer);
    fn(...args);
  };
  return call;
}

/** "diverged at step 6: ..." → "Diverged at step 6: ...". */
export const capitalize = (text) => text.charAt(0).toUpperCase() + text.slice(1);
