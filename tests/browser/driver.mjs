// Drives Debian's Chromium with playwright-core for the browser suite: one headless
// browser, a fresh empty profile, and one tab per visit. Reads a JSON job on stdin:
//
//   {"executablePath": "/usr/bin/chromium",
//    "hostRules": "MAP app.navai.test 127.0.0.1, ...",
//    "timeoutMs": 20000,
//    "visits": [{"id": "...", "url": "http://app.navai.test:PORT/?api=..."}, ...]}
//
// and prints one JSON object on stdout: {"visits": {id: {"outcome": <the page's
// window.navaiOutcome> | null, "error": <why there is none> | null,
// "console": [{"type", "text"}], "failedRequests": [{"url", "method", "error"}]}}}.
// Visits run one after another, so each one's console and requests are its own.

import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { chromium } from "playwright-core";

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

async function visit(context, { url }, timeoutMs) {
  const page = await context.newPage();
  const record = { outcome: null, error: null, console: [], failedRequests: [] };
  page.on("console", (message) => record.console.push({ type: message.type(), text: message.text() }));
  page.on("pageerror", (error) => record.console.push({ type: "pageerror", text: String(error) }));
  page.on("requestfailed", (request) =>
    record.failedRequests.push({
      url: request.url(),
      method: request.method(),
      error: request.failure()?.errorText ?? "",
    }),
  );
  try {
    await page.goto(url, { waitUntil: "load", timeout: timeoutMs });
    await page.waitForFunction(() => window.navaiOutcome !== undefined, null, { timeout: timeoutMs });
    record.outcome = await page.evaluate(() => window.navaiOutcome);
  } catch (error) {
    record.error = error instanceof Error ? error.message : String(error);
  } finally {
    await page.close();
  }
  return record;
}

const job = await readStdin();
const profile = mkdtempSync(path.join(os.tmpdir(), "navai-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: job.executablePath,
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
    `--host-resolver-rules=${job.hostRules}`,
  ],
});
const results = {};
try {
  for (const item of job.visits) {
    results[item.id] = await visit(context, item, job.timeoutMs ?? 20000);
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify({ visits: results })}\n`);
