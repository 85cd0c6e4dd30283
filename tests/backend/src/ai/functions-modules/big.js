// A result whose size is chosen by the payload, for load tests.

const MAX_ITEMS = 500_000;

/**
 * Returns `n` items `{"index": i, "label": "item-000000"}` for i in 0..n-1.
 * `n` comes from `{"n": 1000}`, `{"value": 1000}` or `{"args": [1000]}` (default 100).
 */
export function bigList(...args) {
  const input = args[0];
  let n = 100;
  if (typeof input === "number") {
    n = input;
  } else if (input && typeof input === "object" && input.n !== undefined) {
    n = input.n;
  }
  if (!Number.isInteger(n) || n < 0 || n > MAX_ITEMS) {
    throw new RangeError(`big_list: n must be an integer between 0 and ${MAX_ITEMS}`);
  }
  const items = new Array(n);
  for (let i = 0; i < n; i += 1) {
    items[i] = { index: i, label: `item-${String(i).padStart(6, "0")}` };
  }
  return items;
}
