// In-process stand-in for OpenAI's Realtime client-secret endpoint.
//
// Load it before the server with `node --import ./openai-stub.mjs server.mjs`.
// It wraps globalThis.fetch so that exactly
//   POST https://api.openai.com/v1/realtime/client_secrets
// is answered locally, without any network traffic, the way OpenAI answers it.
// Every other request goes to the real fetch unchanged.
//
// Environment:
//   NAVAI_STUB_OPENAI_KEY         a key that is accepted (Bearer <key>)
//   NAVAI_STUB_OPENAI_KEYS        more accepted keys, comma separated
//   NAVAI_STUB_OPENAI_LATENCY_MS  optional delay before each answer (default 0)
//   NAVAI_STUB_OPENAI_COMPACT     "1" for one-line JSON bodies (default: OpenAI's 4-space indent)

import { randomBytes, randomInt } from "node:crypto";

const CLIENT_SECRETS_URL = "https://api.openai.com/v1/realtime/client_secrets";
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const MIN_TTL = 10;
const MAX_TTL = 7200;
const DEFAULT_TTL = 600;

const realFetch = globalThis.fetch;

function acceptedKeys() {
  const keys = new Set();
  const single = process.env.NAVAI_STUB_OPENAI_KEY?.trim();
  if (single) keys.add(single);
  for (const key of (process.env.NAVAI_STUB_OPENAI_KEYS ?? "").split(",")) {
    if (key.trim()) keys.add(key.trim());
  }
  return keys;
}

function randomAlnum(length) {
  let out = "";
  for (let i = 0; i < length; i += 1) out += ALNUM[randomInt(ALNUM.length)];
  return out;
}

/**
 * OpenAI-style masking: the first 3 characters, asterisks, the last 4.
 * Never shows more than 4 consecutive characters after a leading "sk-".
 */
export function maskKey(key) {
  if (key.length < 8) return "*".repeat(Math.max(key.length, 1));
  return `${key.slice(0, 3)}${"*".repeat(key.length - 7)}${key.slice(-4)}`;
}

function jsonResponse(status, body) {
  // OpenAI pretty-prints its JSON bodies with a 4-space indent and a trailing newline;
  // NAVAI_STUB_OPENAI_COMPACT=1 sends compact one-line JSON instead.
  const text = process.env.NAVAI_STUB_OPENAI_COMPACT === "1" ? JSON.stringify(body) : `${JSON.stringify(body, null, 4)}\n`;
  return new Response(text, {
    status,
    headers: { "content-type": "application/json" },
  });
}

function errorResponse(status, message, type, param, code) {
  return jsonResponse(status, { error: { message, type, param, code } });
}

function requestMethod(input, init) {
  return (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
}

function requestUrl(input) {
  if (typeof input === "string") return input;
  if (input instanceof URL) return input.href;
  if (input instanceof Request) return input.url;
  return String(input);
}

function isClientSecretsCall(input, init) {
  try {
    const url = new URL(requestUrl(input));
    return (
      requestMethod(input, init) === "POST" &&
      `${url.origin}${url.pathname}` === CLIENT_SECRETS_URL &&
      url.search === ""
    );
  } catch {
    return false;
  }
}

async function answerClientSecrets(input, init) {
  const request = new Request(input, init);
  const latency = Number(process.env.NAVAI_STUB_OPENAI_LATENCY_MS ?? "0");
  if (Number.isFinite(latency) && latency > 0) {
    await new Promise((resolve) => setTimeout(resolve, latency));
  }

  const auth = request.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(auth.trim());
  if (!match) {
    return errorResponse(
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
      "invalid_request_error",
      null,
      null,
    );
  }
  const key = match[1].trim();
  if (!acceptedKeys().has(key)) {
    return errorResponse(
      401,
      `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      "invalid_request_error",
      null,
      "invalid_api_key",
    );
  }

  let body;
  try {
    body = JSON.parse(await request.text());
  } catch {
    return errorResponse(
      400,
      "We could not parse the JSON body of your request.",
      "invalid_request_error",
      null,
      null,
    );
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    return errorResponse(400, "Invalid body: expected an object.", "invalid_request_error", null, null);
  }

  const seconds = body.expires_after?.seconds ?? DEFAULT_TTL;
  if (!Number.isInteger(seconds) || seconds < MIN_TTL || seconds > MAX_TTL) {
    return errorResponse(
      400,
      `Invalid 'expires_after.seconds': must be an integer between ${MIN_TTL} and ${MAX_TTL}.`,
      "invalid_request_error",
      "expires_after.seconds",
      "invalid_value",
    );
  }
  const session = body.session && typeof body.session === "object" ? body.session : {};
  const now = Math.floor(Date.now() / 1000);
  return jsonResponse(200, {
    value: `ek_${randomAlnum(32)}`,
    expires_at: now + seconds,
    session: {
      type: "realtime",
      ...session,
      object: "realtime.session",
      id: `sess_${randomBytes(12).toString("hex")}`,
    },
  });
}

globalThis.fetch = async function navaiStubFetch(input, init) {
  if (isClientSecretsCall(input, init)) {
    return answerClientSecrets(input, init);
  }
  return realFetch(input, init);
};
