// An exported object: each callable member becomes `<export>_<member>` (text_tools_upper, ...).

function requireString(value, name) {
  if (typeof value !== "string") {
    throw new TypeError(`${name} expects a string, e.g. {"value": "hello"}`);
  }
  return value;
}

export const textTools = {
  upper(...args) {
    return requireString(args[0], "text_tools_upper").toUpperCase();
  },
  reverse(...args) {
    return Array.from(requireString(args[0], "text_tools_reverse")).reverse().join("");
  },
  wordCount(...args) {
    const words = requireString(args[0], "text_tools_word_count").trim().split(/\s+/u);
    return words[0] === "" ? 0 : words.length;
  },
};
