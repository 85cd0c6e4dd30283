// A real NAVAI voice backend (@navai/voice-backend on Express 5) for the navai
// Python SDK's tests, benchmarks and demo. Loopback only.
//
//   PORT=8787 node --import ./openai-stub.mjs server.mjs
//
// Routes:
//   GET  /health                              -> {"ok":true}
//   POST /navai/realtime/client-secret        (server key: OPENAI_API_KEY)
//   GET  /navai/functions
//   POST /navai/functions/execute
//   POST /navai/speech/synthesize             (mounted by the package; needs ElevenLabs)
//   POST /byok/navai/realtime/client-secret   ("bring your own key": body.apiKey is used)
//   POST /byok/navai/speech/synthesize        (mounted by the package alongside)
//   POST /tts/navai/realtime/client-secret    (speech provider ElevenLabs: speech.provider says so)
//   POST /tts/navai/speech/synthesize         (ElevenLabs at NAVAI_TEST_ELEVENLABS_URL, a loopback
//                                              stand-in, with key NAVAI_TEST_ELEVENLABS_KEY)
//
// Environment: PORT (required; 0 picks a free port), NAVAI_FUNCTIONS_BASE_DIR,
// NAVAI_BACKEND_PARENT_PID (exit when that process is gone), plus the package's own
// variables (OPENAI_API_KEY, OPENAI_REALTIME_*, NAVAI_FUNCTIONS_FOLDERS, ...).

import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { getNavaiVoiceBackendOptionsFromEnv, registerNavaiExpressRoutes } from "@navai/voice-backend";
import express from "express";

const HOST = "127.0.0.1";
const HERE = path.dirname(fileURLToPath(import.meta.url));

const rawPort = process.env.PORT?.trim();
const port = rawPort ? Number(rawPort) : Number.NaN;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`server.mjs: PORT must be set to an integer between 0 and 65535 (got ${JSON.stringify(rawPort ?? null)})`);
  process.exit(2);
}

const app = express();
app.disable("x-powered-by");
app.use(express.json());

app.get("/health", (_req, res) => {
  res.json({ ok: true });
});

// The regular backend: server-side OpenAI key from the environment, functions from
// <this folder>/src/ai/functions-modules. node_modules at the top of the base dir is
// excluded explicitly: the package's default "**/node_modules/**" glob only matches
// nested node_modules folders, so it would otherwise walk all of ./node_modules.
registerNavaiExpressRoutes(app, {
  functionsBaseDir: HERE,
  exclude: ["node_modules/**", "**/node_modules/**", "**/dist/**", "**/.*/**"],
});

// "Bring your own key": no server key, so the request body's apiKey is sent upstream.
registerNavaiExpressRoutes(app, {
  includeFunctionsRoutes: false,
  clientSecretPath: "/byok/navai/realtime/client-secret",
  speechSynthesizePath: "/byok/navai/speech/synthesize",
  backendOptions: {
    ...getNavaiVoiceBackendOptionsFromEnv(process.env),
    openaiApiKey: undefined,
    allowApiKeyFromRequest: true,
  },
});

// Speech through ElevenLabs: the same server key, provider "elevenlabs", voice "voice_test",
// and ElevenLabs itself replaced by the stand-in the test run starts (tests/support/elevenlabs_standin.py).
registerNavaiExpressRoutes(app, {
  includeFunctionsRoutes: false,
  clientSecretPath: "/tts/navai/realtime/client-secret",
  speechSynthesizePath: "/tts/navai/speech/synthesize",
  backendOptions: {
    ...getNavaiVoiceBackendOptionsFromEnv(process.env),
    ttsProvider: "elevenlabs",
    elevenLabsApiKey: process.env.NAVAI_TEST_ELEVENLABS_KEY ?? "xi-test-unset",
    elevenLabsVoiceId: "voice_test",
    elevenLabsBaseUrl: process.env.NAVAI_TEST_ELEVENLABS_URL ?? "http://127.0.0.1:9",
  },
});

// Final JSON error handler. Unknown paths are not errors: they still get Express's
// default 404 page, since there is no catch-all route.
app.use((err, _req, res, next) => {
  if (res.headersSent) {
    next(err);
    return;
  }
  const candidate = err?.status ?? err?.statusCode;
  const status = Number.isInteger(candidate) && candidate >= 400 && candidate <= 599 ? candidate : 500;
  const message = err instanceof Error ? err.message : String(err);
  if (status >= 500) {
    console.error(`[navai-test-backend] ${status}: ${message.replace(/\s+/g, " ").slice(0, 300)}`);
  }
  res.status(status).json({ error: message });
});

// NAVAI_TEST_HEADERS_TIMEOUT_MS / NAVAI_TEST_REQUEST_TIMEOUT_MS shorten Node's own
// headersTimeout (60 s) and requestTimeout (300 s), checked every 100 ms instead of 30 s,
// for the hostile suite's slow-client cases. Unset, the server is app.listen's.
const headersTimeout = Number(process.env.NAVAI_TEST_HEADERS_TIMEOUT_MS ?? "");
const requestTimeout = Number(process.env.NAVAI_TEST_REQUEST_TIMEOUT_MS ?? "");
const server =
  headersTimeout > 0 && requestTimeout > 0
    ? http.createServer({ headersTimeout, requestTimeout, connectionsCheckingInterval: 100 }, app)
    : http.createServer(app);
server.once("error", (error) => {
  console.error(`server.mjs: cannot listen on ${HOST}:${port}: ${error.message}`);
  process.exit(1);
});
server.listen(port, HOST, () => {
  const { port: actualPort } = server.address();
  console.log(`NAVAI_BACKEND_LISTENING http://${HOST}:${actualPort}`);
});

let stopping = false;
function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  console.error(`[navai-test-backend] ${signal}: shutting down`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));

// Do not outlive the process that started us (e.g. a test run killed with SIGKILL).
const parentPid = Number(process.env.NAVAI_BACKEND_PARENT_PID ?? "");
if (Number.isInteger(parentPid) && parentPid > 1) {
  setInterval(() => {
    try {
      process.kill(parentPid, 0);
    } catch (error) {
      if (error.code === "ESRCH") shutdown("parent exited");
    }
  }, 1000).unref();
}
