// Basic sync and async functions.
//
// The backend appends a `{ req }` context argument whenever a function declares
// more parameters than the payload supplies, and that context is not JSON
// serializable. Every function here therefore takes rest parameters
// (`fn.length === 0`) and never returns anything derived from an extra argument.

/** Returns its single payload argument unchanged, or null when there is none. */
export function echo(...args) {
  return args.length > 0 ? args[0] : null;
}

/** Adds two numbers given as `{"args": [a, b]}`. */
export function add(...args) {
  const [a, b] = args;
  if (typeof a !== "number" || typeof b !== "number") {
    throw new TypeError('add expects two numbers, e.g. {"args": [2, 3]}');
  }
  return a + b;
}

/** Async twin of echo: resolves on a later tick with its argument, or null. */
export async function asyncEcho(...args) {
  await new Promise((resolve) => setImmediate(resolve));
  return args.length > 0 ? args[0] : null;
}
