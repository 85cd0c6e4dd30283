// A slow async function for timeout and concurrency tests.

const DEFAULT_MS = 1500;
const MAX_MS = 120_000;

/** Waits `payload.ms` milliseconds (default 1500, max 120000), then returns `{"slept_ms": ms}`. */
export async function slowEcho(...args) {
  const input = args[0];
  let ms = DEFAULT_MS;
  if (typeof input === "number") {
    ms = input;
  } else if (input && typeof input === "object" && input.ms !== undefined) {
    ms = input.ms;
  }
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0 || ms > MAX_MS) {
    throw new RangeError(`slow_echo: ms must be a number between 0 and ${MAX_MS}`);
  }
  await new Promise((resolve) => setTimeout(resolve, ms));
  return { slept_ms: ms };
}
