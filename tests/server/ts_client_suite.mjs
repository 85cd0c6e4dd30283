// Drives the reference TypeScript client, `createNavaiBackendClient` from
// @navai/voice-frontend 0.1.7 (installed in bench/node_modules), against one NAVAI
// backend and prints what every call produced as one JSON document on stdout.
//
//   node tests/server/ts_client_suite.mjs '{"url": "http://127.0.0.1:PORT",
//        "byokUrl": "http://127.0.0.1:PORT", "byokPath": "/byok/navai/realtime/client-secret",
//        "key": "<a key the backend's OpenAI stand-in accepts>"}'
//
// tests/server/test_ts_client_on_python_backend.py runs it against the Node backend and
// against `navai serve`, and compares the two documents. Each step is
//   {"step": <name>, "ok": true, "value": <what the client returned>}  or
//   {"step": <name>, "ok": false, "error": <the Error's message>}
// where a returned `undefined` is written as {"$undefined": true} (JSON has no undefined).
// Minted secrets are kept as returned; the test normalises them.
//
// (@navai/voice-mobile, the mobile client, is not published on npm; the web client's
// backend client is the same code, spec node-runtime-spec.md section 1.)

import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const PACKAGE = "@navai/voice-frontend";
const HERE = path.dirname(fileURLToPath(import.meta.url));
const BENCH = path.join(HERE, "..", "..", "bench");

async function loadPackage() {
  // The package's ESM entry ("exports" -> "." -> "import"), as `import "@navai/voice-frontend"`
  // from bench/ resolves it; it needs the peer dependency react, which npm installs alongside.
  const dir = path.join(BENCH, "node_modules", ...PACKAGE.split("/"));
  const manifest = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8"));
  const entry = path.join(dir, manifest.exports?.["."]?.import ?? manifest.module ?? "dist/index.js");
  const module = await import(pathToFileURL(entry).href);
  if (typeof module.createNavaiBackendClient !== "function") {
    throw new Error(`${entry} does not export createNavaiBackendClient`);
  }
  return { module, entry: `${PACKAGE}@${manifest.version}` };
}

function plain(value) {
  if (value === undefined) return { $undefined: true };
  return value;
}

async function main() {
  const config = JSON.parse(process.argv[2] ?? "{}");
  const url = new URL(config.url);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
    throw new Error(`refusing a non-loopback backend: ${url.hostname}`);
  }
  const { module, entry } = await loadPackage();
  const client = module.createNavaiBackendClient({ apiBaseUrl: config.url });
  const byok = module.createNavaiBackendClient({
    apiBaseUrl: config.byokUrl,
    clientSecretPath: config.byokPath,
  });
  const unserved = module.createNavaiBackendClient({
    apiBaseUrl: config.url,
    functionsListPath: "/navai/nope",
    functionsExecutePath: "/navai/nope",
    clientSecretPath: "/navai/nope",
  });

  const steps = [];
  async function step(name, call) {
    try {
      steps.push({ step: name, ok: true, value: plain(await call()) });
    } catch (error) {
      steps.push({ step: name, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  }
  const execute = (functionName, payload) => () => client.executeFunction({ functionName, payload });

  // What the web and mobile runtimes send: {} or {"model": ...}.
  await step("secret-empty", () => client.createClientSecret());
  await step("secret-model", () => client.createClientSecret({ model: "gpt-realtime" }));
  await step("secret-all-fields", () =>
    client.createClientSecret({
      model: "gpt-realtime",
      voice: "cedar",
      instructions: "You help people navigate the app.",
      language: "es",
      voiceAccent: "neutral",
      voiceTone: "warm",
    }),
  );
  await step("secret-byok", () => byok.createClientSecret({ apiKey: config.key, voice: "marin" }));
  await step("secret-byok-wrong-key", () => byok.createClientSecret({ apiKey: "sk-test-wrong-key-000000000000" }));
  await step("secret-byok-missing-key", () => byok.createClientSecret({}));
  await step("secret-unserved", () => unserved.createClientSecret());

  await step("list", () => client.listFunctions());
  await step("list-unserved", () => unserved.listFunctions());

  await step("say_hello", execute("say_hello", { value: "Ana" }));
  await step("say_hello-no-payload", execute("say_hello", null));
  await step("add", execute("add", { args: [2, 3] }));
  await step("add-arguments", execute("add", { arguments: [2.5, 4] }));
  await step("echo-object", execute("echo", { text: "hi", n: [1, 2.5, null], nested: { ok: true } }));
  await step("echo-value", execute("echo", { value: [1, { a: null }] }));
  await step("echo-null-payload", execute("echo", null));
  await step("async_echo", execute("async_echo", { value: "later" }));
  await step("big_list", execute("big_list", { n: 3 }));
  await step("calculator_multiply", execute("calculator_multiply", { args: [6, 7] }));
  await step("calculator_total", execute("calculator_total", { constructorArgs: [10], methodArgs: [1, 2] }));
  await step("slow_echo", execute("slow_echo", { ms: 5 }));
  await step("text_tools_upper", execute(" Text_Tools_UPPER ", { value: "hola" }));
  await step("text_tools_reverse", execute("text_tools_reverse", { value: "abc" }));
  await step("text_tools_word_count", execute("text_tools_word_count", { value: "uno dos tres" }));
  for (const name of [
    "return_string",
    "return_integer",
    "return_float",
    "return_true",
    "return_false",
    "return_null",
    "return_nothing",
    "return_array",
    "return_nested_object",
    "return_empty_object",
    "return_empty_array",
    "return_unicode",
  ]) {
    await step(name, execute(name, null));
  }

  await step("unknown-function", execute("no_such_function", null));
  await step("missing-name", execute("", null));
  await step("fail", execute("fail", null));
  await step("async_fail", execute("async_fail", {}));
  await step("fail_with_status", execute("fail_with_status", { value: 418 }));
  await step("execute-unserved", () => unserved.executeFunction({ functionName: "echo", payload: null }));

  process.stdout.write(`${JSON.stringify({ entry, runtime: `node ${process.version}`, steps })}\n`);
}

main().catch((error) => {
  process.stderr.write(`ts_client_suite.mjs: ${error?.stack ?? error}\n`);
  process.exit(1);
});
