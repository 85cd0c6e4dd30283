// Bundles the published @navai/voice-frontend for the browser suite's page: one classic
// script that exposes the package's backend client factory as
// window.navaiFrontend.createNavaiBackendClient. Run by the test harness at test time:
//
//   node bundle.mjs OUTFILE
//
// The bundle goes to build/ and is never committed.

import path from "node:path";
import { fileURLToPath } from "node:url";

import * as esbuild from "esbuild";

const outfile = process.argv[2];
if (!outfile) {
  console.error("usage: node bundle.mjs OUTFILE");
  process.exit(2);
}

await esbuild.build({
  stdin: {
    contents: [
      'import { createNavaiBackendClient } from "@navai/voice-frontend";',
      "globalThis.navaiFrontend = { createNavaiBackendClient };",
    ].join("\n"),
    resolveDir: path.dirname(fileURLToPath(import.meta.url)),
    sourcefile: "navai-frontend-entry.js",
    loader: "js",
  },
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "chrome120",
  define: { "process.env.NODE_ENV": '"production"' },
  outfile,
  logLevel: "error",
});
