// Functions that fail on purpose. The server's error handler turns these into
// `{"error": message}` with status 500, or err.status when it is a 4xx/5xx number.

export function fail() {
  throw new Error("boom: intentional failure");
}

export async function asyncFail() {
  await new Promise((resolve) => setImmediate(resolve));
  throw new Error("boom: intentional async failure");
}

/** Throws an error carrying `status` (default 422), e.g. `{"value": 418}`. */
export function failWithStatus(...args) {
  const requested = args[0];
  const status = Number.isInteger(requested) && requested >= 400 && requested <= 599 ? requested : 422;
  const error = new Error(`boom: intentional failure with status ${status}`);
  error.status = status;
  throw error;
}
