// One function per JSON result type, with fixed return values.

export function returnString() {
  return "hello from navai";
}

export function returnInteger() {
  return 42;
}

export function returnFloat() {
  return 3.25;
}

export function returnTrue() {
  return true;
}

export function returnFalse() {
  return false;
}

export function returnNull() {
  return null;
}

/** Returns undefined: the backend then omits the `result` key from its response. */
export function returnNothing() {
  return undefined;
}

export function returnArray() {
  return [1, "two", 3.5, true, null, { six: 6 }, [7]];
}

export function returnNestedObject() {
  return {
    name: "navai",
    version: 1,
    ratio: 0.5,
    enabled: true,
    missing: null,
    tags: ["voice", "navigation"],
    owner: { id: 7, roles: ["admin", "dev"], profile: { locale: "es-CO", verified: false } },
  };
}

export function returnEmptyObject() {
  return {};
}

export function returnEmptyArray() {
  return [];
}

export function returnUnicode() {
  return "Olá, señor Müller! Привет, 你好, こんにちは, مرحبا — 🚀✨";
}
