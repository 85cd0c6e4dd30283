// A playground-like NAVAI backend for the browser suite: @navai/voice-backend's Express
// routes behind the `cors` middleware, with the CORS rules of NAVAI's own playground
// server (apps/playground-api), so the suite can show that its expectations for
// `navai serve` are what NAVAI users already get. Loopback only.
//
//   PORT=0 NAVAI_FUNCTIONS_BASE_DIR=../backend node playground_server.mjs
//
// CORS rules (the playground's):
//   - a request without Origin is served;
//   - NAVAI_CORS_ORIGIN is a comma-separated list (entries trimmed, empty ones dropped);
//     "*" in it allows every origin;
//   - an origin in that list is allowed, and so is any http:/https: origin whose host
//     name is localhost or 127.0.0.1, whatever its port;
//   - any other origin makes the cors middleware fail, and the final error handler
//     answers 500 {"error": "<message>"} without Access-Control-Allow-Origin.
//
// Environment is read from process.env only (no .env file): PORT (required, 0 picks a
// free port), NAVAI_CORS_ORIGIN, NAVAI_BACKEND_PARENT_PID (exit once that process is
// gone) and the package's own variables (OPENAI_API_KEY, NAVAI_FUNCTIONS_BASE_DIR, ...).
// Prints "NAVAI_BACKEND_LISTENING http://127.0.0.1:<port>" once it listens.

import { registerNavaiExpressRoutes } from "@navai/voice-backend";
import cors from "cors";
import express from "express";

const HOST = "127.0.0.1";

function listFromEnv(raw) {
  return (raw ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

function isLoopbackOrigin(origin) {
  let url;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const webScheme = url.protocol === "http:" || url.protocol === "https:";
  return webScheme && ["localhost", "127.0.0.1"].includes(url.hostname);
}

const allowedOrigins = new Set(listFromEnv(process.env.NAVAI_CORS_ORIGIN));
const allowEveryOrigin = allowedOrigins.has("*");

function decideOrigin(origin, done) {
  if (origin === undefined || allowEveryOrigin || allowedOrigins.has(origin) || isLoopbackOrigin(origin)) {
    done(null, true);
    return;
  }
  done(new Error(`CORS blocked for origin: ${origin}`));
}

const port = Number(process.env.PORT?.trim() || Number.NaN);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error("playground_server.mjs: PORT must be an integer between 0 and 65535");
  process.exit(2);
}

const app = express();
app.disable("x-powered-by");
app.use(express.json());
app.use(cors({ origin: decideOrigin }));

app.get("/health", (_req, res) => {
  res.json({ ok: true });
});

// Functions come from NAVAI_FUNCTIONS_BASE_DIR (the package reads it); its top-level
// node_modules is left out, which the package's default "**/node_modules/**" misses.
registerNavaiExpressRoutes(app, {
  exclude: ["node_modules/**", "**/node_modules/**", "**/dist/**", "**/.*/**"],
});

app.use((error, _req, res, next) => {
  if (res.headersSent) {
    next(error);
    return;
  }
  res.status(500).json({ error: error instanceof Error ? error.message : "Unexpected error" });
});

const server = app.listen(port, HOST, (error) => {
  if (error) {
    console.error(`playground_server.mjs: cannot listen on ${HOST}:${port}: ${error.message}`);
    process.exit(1);
  }
  console.log(`NAVAI_BACKEND_LISTENING http://${HOST}:${server.address().port}`);
});

function stop() {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.once("SIGTERM", stop);
process.once("SIGINT", stop);

const parentPid = Number(process.env.NAVAI_BACKEND_PARENT_PID ?? "");
if (Number.isInteger(parentPid) && parentPid > 1) {
  setInterval(() => {
    try {
      process.kill(parentPid, 0);
    } catch (error) {
      if (error.code === "ESRCH") stop();
    }
  }, 1000).unref();
}
