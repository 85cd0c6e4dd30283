// The load generator of `make bench-server` (bench/server_run.py): autocannon, pinned in
// bench/package.json, driven through its programmatic API so every response is checked
// and every latency is kept at full resolution.
//
//   node bench/server_load.mjs --url http://127.0.0.1:PORT/navai/functions/execute
//        --connections C --seconds S [--warmup-seconds W] [--body JSON] [--expect JSON]
//        [--origin ORIGIN]
//
// C connections, each with one request in flight (no pipelining), POST the body with
// `Content-Type: application/json` for W untimed seconds (connections, JIT, caches; a
// separate autocannon run, not recorded), then for S timed seconds. Every response of the
// timed run must be 200 with a JSON body whose `ok` is true and whose `result` equals
// `--expect` (JSON text compared after parsing; omit to skip). `--origin` sends that
// `Origin` header, as a browser page on another origin does. Prints one JSON line:
//   {"calls", "seconds", "calls_per_s", "latency_ms": {"p50","p90","p99","p999","max","mean"},
//    "errors", "timeouts", "non2xx", "mismatches", "cpu_seconds", "warmup_calls", "runtime",
//    "autocannon"}
// `calls` counts 2xx responses of the timed run; `seconds` is autocannon's measured
// duration (it ends on its next 1 s sample after S, so use whole seconds);
// `latency_ms` comes from every 2xx response time (exact, not autocannon's 1 ms buckets);
// `cpu_seconds` is this process's CPU time during the timed run (so the load generator
// shows whether it was a bottleneck). Loopback only. Exit 1 on any error or mismatch.

import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const autocannon = require("autocannon");
const AUTOCANNON_VERSION = require("autocannon/package.json").version;

function parseArgs(argv) {
  const args = {
    url: "",
    connections: 1,
    seconds: 2,
    warmupSeconds: 1,
    body: '{"function_name":"echo","payload":{"value":{"n":1}}}',
    expect: null,
    origin: null,
  };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`missing value for ${key}`);
    switch (key) {
      case "--url": args.url = value; break;
      case "--connections": args.connections = Number(value); break;
      case "--seconds": args.seconds = Number(value); break;
      case "--warmup-seconds": args.warmupSeconds = Number(value); break;
      case "--body": args.body = value; break;
      case "--expect": args.expect = value; break;
      case "--origin": args.origin = value; break;
      default: throw new Error(`unknown option ${key}`);
    }
  }
  const url = new URL(args.url);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
    throw new Error(`refusing to load a non-loopback host: ${url.hostname}`);
  }
  if (!Number.isInteger(args.connections) || args.connections < 1) throw new Error("bad --connections");
  if (!(args.seconds > 0) || !(args.warmupSeconds >= 0)) throw new Error("bad --seconds/--warmup-seconds");
  JSON.parse(args.body);
  return args;
}

function runOnce(options, onResponse) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
    if (onResponse) instance.on("response", onResponse);
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const expected = args.expect === null ? null : JSON.stringify(JSON.parse(args.expect));
  const verifyBody = (text) => {
    if (expected === null) return true;
    try {
      const body = JSON.parse(text);
      return body.ok === true && JSON.stringify(body.result) === expected;
    } catch {
      return false;
    }
  };
  const base = {
    url: args.url,
    method: "POST",
    headers: { "content-type": "application/json", ...(args.origin ? { origin: args.origin } : {}) },
    body: args.body,
    connections: args.connections,
    pipelining: 1,
    timeout: 30,
    verifyBody,
  };

  let warmupCalls = 0;
  if (args.warmupSeconds > 0) {
    const warm = await runOnce({ ...base, duration: args.warmupSeconds });
    warmupCalls = warm["2xx"] + warm.non2xx;
  }

  let latencies = new Float64Array(65536);
  let count = 0;
  const onResponse = (_client, statusCode, _bytes, responseTime) => {
    if (statusCode < 200 || statusCode > 299) return;
    if (count === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[count] = responseTime;
    count += 1;
  };
  const cpuBefore = process.cpuUsage();
  const result = await runOnce({ ...base, duration: args.seconds }, onResponse);
  const cpu = process.cpuUsage(cpuBefore);

  const sorted = latencies.subarray(0, count).sort();
  let sum = 0;
  for (let i = 0; i < count; i += 1) sum += sorted[i];
  const calls = result["2xx"];
  const seconds = result.duration;
  const out = {
    calls,
    seconds,
    calls_per_s: seconds > 0 ? calls / seconds : 0,
    latency_ms: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      p999: percentile(sorted, 99.9),
      max: count ? sorted[count - 1] : null,
      mean: count ? sum / count : null,
    },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    mismatches: result.mismatches,
    cpu_seconds: (cpu.user + cpu.system) / 1e6,
    warmup_calls: warmupCalls,
    runtime: `node ${process.version}`,
    autocannon: AUTOCANNON_VERSION,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  if (out.errors || out.non2xx || out.mismatches || calls === 0) {
    process.stderr.write(
      `server_load.mjs: ${out.errors} errors, ${out.timeouts} timeouts, ${out.non2xx} non-2xx, ` +
        `${out.mismatches} mismatched bodies, ${calls} good calls\n`,
    );
    process.exit(1);
  }
}

main().catch((error) => {
  process.stderr.write(`server_load.mjs: ${error?.stack ?? error}\n`);
  process.exit(1);
});
