// A class: each instance method becomes `<Class>_<method>` (calculator_multiply, calculator_total).
// The backend builds a fresh instance per call with `payload.constructorArgs` (default none),
// and takes method arguments from `payload.methodArgs`, or else `args` / `value` / the payload.

export class Calculator {
  constructor(base = 0) {
    this.base = typeof base === "number" ? base : 0;
  }

  /** `{"args": [6, 7]}` -> 42. */
  multiply(a, b) {
    if (typeof a !== "number" || typeof b !== "number") {
      throw new TypeError('calculator_multiply expects two numbers, e.g. {"args": [6, 7]}');
    }
    return a * b;
  }

  /** base + sum of the numeric arguments: `{"constructorArgs": [10], "methodArgs": [1, 2]}` -> 13. */
  total(...values) {
    return values.reduce((sum, v) => (typeof v === "number" ? sum + v : sum), this.base);
  }
}
