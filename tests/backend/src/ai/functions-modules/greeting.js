// A default export: the backend names it after the function (sayHello -> say_hello).

/** Returns "Hello, <name>!" for `{"value": "Ana"}` / `{"args": ["Ana"]}`, or "Hello, world!". */
export default function sayHello(...args) {
  const name = typeof args[0] === "string" && args[0].trim() ? args[0].trim() : "world";
  return `Hello, ${name}!`;
}
