// Drives the reference TypeScript client, `createNavaiBackendClient` from
// @navai/voice-frontend 0.1.7, for navai's benchmark (bench/run.py).
//
//   node bench/ts_client.mjs --url http://127.0.0.1:PORT --calls N [--concurrency C]
//        [--warmup W] [--warmup-seconds WS] [--max-seconds S] [--function echo]
//        [--payload '{"value":{"n":1}}']
//
// Runs up to W untimed calls first (connections, JIT; at least C, at most WS seconds),
// then N timed calls of executeFunction with at most C in flight (C = 1: one after the
// other), stops starting new ones after S seconds, and prints one JSON line:
//   {"calls": <done>, "seconds": <wall>, "cpu_seconds": <this process>,
//    "warmup_calls": <done>, "runtime": "node vX", "entry": <what was imported>}
//
// The package's main entry is imported: npm (7+) installs its peer dependency
// `react` alongside, so it loads in plain Node. If that import fails (e.g. an npm
// that skips peers), the dist file that defines the client is imported instead.

import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

const PACKAGE = "@navai/voice-frontend";

function parseArgs(argv) {
  const args = {
    url: "",
    calls: 1000,
    concurrency: 1,
    warmup: 200,
    warmupSeconds: 0.5,
    maxSeconds: 30,
    function: "echo",
    payload: '{"value":{"n":1}}',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`missing value for ${key}`);
    switch (key) {
      case "--url": args.url = value; break;
      case "--calls": args.calls = Number(value); break;
      case "--concurrency": args.concurrency = Number(value); break;
      case "--warmup": args.warmup = Number(value); break;
      case "--warmup-seconds": args.warmupSeconds = Number(value); break;
      case "--max-seconds": args.maxSeconds = Number(value); break;
      case "--function": args.function = value; break;
      case "--payload": args.payload = value; break;
      default: throw new Error(`unknown option ${key}`);
    }
  }
  const url = new URL(args.url);
  // Loopback only: this script generates load.
  if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
    throw new Error(`refusing to load a non-loopback host: ${url.hostname}`);
  }
  for (const name of ["calls", "concurrency", "warmup", "warmupSeconds", "maxSeconds"]) {
    if (!Number.isFinite(args[name]) || args[name] < 0) throw new Error(`bad --${name}: ${args[name]}`);
  }
  if (args.concurrency < 1) throw new Error("--concurrency must be >= 1");
  args.payload = JSON.parse(args.payload);
  return args;
}

async function loadClientFactory() {
  try {
    const module = await import(PACKAGE);
    if (typeof module.createNavaiBackendClient === "function") {
      return { create: module.createNavaiBackendClient, entry: PACKAGE };
    }
  } catch {
    // fall through to the dist file
  }
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve(`${PACKAGE}/package.json`);
  const distFile = path.join(path.dirname(packageJson), "dist", "index.js");
  const module = await import(pathToFileURL(distFile).href);
  return { create: module.createNavaiBackendClient, entry: distFile };
}

async function run(execute, total, concurrency, deadline) {
  let started = 0;
  let done = 0;
  async function worker() {
    while (started < total && performance.now() < deadline) {
      started += 1;
      await execute();
      done += 1;
    }
  }
  const workers = [];
  for (let i = 0; i < Math.min(concurrency, Math.max(total, 1)); i += 1) workers.push(worker());
  await Promise.all(workers);
  return done;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const { create, entry } = await loadClientFactory();
  const client = create({ apiBaseUrl: args.url });
  const expected = JSON.stringify(args.payload.value ?? null);

  const first = await client.executeFunction({ functionName: args.function, payload: args.payload });
  const result = first && typeof first === "object" && "result" in first ? first.result : first;
  if (args.function === "echo" && JSON.stringify(result) !== expected) {
    throw new Error(`unexpected result from ${args.function}: ${JSON.stringify(first)}`);
  }
  const execute = () => client.executeFunction({ functionName: args.function, payload: args.payload });

  const warmupCalls = await run(
    execute,
    Math.max(args.warmup, 1),
    args.concurrency,
    performance.now() + args.warmupSeconds * 1000,
  );

  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  const calls = await run(execute, args.calls, args.concurrency, t0 + args.maxSeconds * 1000);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  process.stdout.write(
    `${JSON.stringify({
      calls,
      seconds,
      cpu_seconds: (cpu.user + cpu.system) / 1e6,
      warmup_calls: warmupCalls,
      runtime: `node ${process.version}`,
      entry,
    })}\n`,
  );
}

main().catch((error) => {
  process.stderr.write(`ts_client.mjs: ${error?.stack ?? error}\n`);
  process.exit(1);
});
