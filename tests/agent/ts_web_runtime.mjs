// Runs the published TypeScript web runtime, @navai/voice-frontend 0.1.7 (installed in
// bench/node_modules), on a list of scenarios and prints what it produced as one JSON
// document on stdout:
//
//   node tests/agent/ts_web_runtime.mjs <scenarios.json>
//
// tests/agent/test_parity_runtime.py writes the scenarios, runs navai.agent on the same
// ones and compares. For each scenario this records
//   * resolveNavaiRoute(input, routes) for every input, getNavaiRoutePromptLines(routes);
//   * loadNavaiFunctions(loaders): names, descriptions, sources, warnings;
//   * buildNavaiAgent(options): instructions, warnings, and each tool as the Realtime SDK
//     sends it in session.update ({type, name, description, parameters}, plus `strict`);
//   * for each call: the tool's answer as RealtimeSession produces it (invokeFunctionTool,
//     then toSmartString: the `output` of function_call_output), or that no such tool exists;
//   * what navigate() and executeBackendFunction() received.
// Agent scenarios (specialist agents) go through resolveNavaiFrontendRuntimeConfig first
// (NAVAI_FUNCTIONS_FOLDERS / NAVAI_AGENTS_FOLDERS over the fake modules, agent.config
// modules included), then buildNavaiAgent with its agents; for each agent this records the
// tools the Realtime SDK's session sends for it (its tools, then one handoff tool per
// handoff: RealtimeSession #setCurrentAgent), and the calls run as RealtimeSession
// #handleFunctionCall runs them: a handoff tool name switches the current agent
// (handoff.onInvokeHandoff) and is answered getTransferMessage(agent), anything else is
// the current agent's tool. Speech bodies go through createNavaiBackendClient's
// createClientSecret (a fetch stub answering each body) for the speech provider.
// A JavaScript `undefined` is written as {"$undefined": true}.
//
//   node tests/agent/ts_web_runtime.mjs --session <ws url> <scenario.json>
//
// runs one agent scenario as useWebVoiceAgent does once it has its agent: a RealtimeSession
// of the Realtime SDK (its WebSocket transport, as in Node) connected to <ws url> with an
// ek_ key, until stdin closes. The test's stand-in server plays the model.
//
// Local functions are the named FIXTURES below, exported from fake modules
// ({path: {exportName: fixtureName}}, or "$throw" for a module that fails to load); the
// Python test defines the same fixtures.
//
// One harness step, documented in the test and in node-runtime-spec.md section 3.3: with
// the dependency set of bench/package-lock.json (openai 6.49), buildNavaiAgent throws
// while converting its zod schemas for strict mode (the record payload is an open
// object). The driver records that throw ("asInstalled"), then builds every scenario with
// one substitution: when, and only when, openai's strict converter `zodResponsesFunction`
// throws that error, the schema comes from openai's own Realtime converter
// `zodRealtimeFunction` with the root object closed (`additionalProperties: false`), the
// zod schema still parsing the arguments. For these schemas that is exactly what
// `zodResponsesFunction` of openai 6.20.0 (the lowest version @openai/agents-core 0.4.15
// accepts, before the fail-closed check) returns: checked in a scratch install. Nothing of
// @navai/voice-frontend or @openai/agents is changed; everything else runs as published.
//
// (@navai/voice-mobile, which navai.agent ports, is not published on npm.)

import { readFile } from "node:fs/promises";
import { register } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const PACKAGE = "@navai/voice-frontend";
const HERE = path.dirname(fileURLToPath(import.meta.url));
const MODULES = path.join(HERE, "..", "..", "bench", "node_modules");
const STRICT_ERROR = /must set `additionalProperties: false` to be compatible with strict Structured Outputs/;

// The package logs "[navai debug] ..." with console.log: keep stdout for the document.
console.log = (...args) => console.error(...args);

// Module hook: agents-core's `openai/helpers/zod` goes through a wrapper whose fallback is
// off until globalThis.__navaiParityRealtimeSchemas is set (see the header).
const HOOKS = `
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (specifier !== "openai/helpers/zod" || !String(context.parentURL).includes("/@openai/agents-core/")) {
    return resolved;
  }
  const real = JSON.stringify(resolved.url);
  const source = [
    "import * as real from " + real + ";",
    "export * from " + real + ";",
    "export function zodResponsesFunction(options) {",
    "  try { return real.zodResponsesFunction(options); } catch (error) {",
    "    if (!globalThis.__navaiParityRealtimeSchemas || !${STRICT_ERROR}.test(String(error && error.message))) throw error;",
    "    const tool = real.zodRealtimeFunction(options);",
    "    tool.parameters = { ...tool.parameters, additionalProperties: false };",
    "    tool.strict = true;",
    "    Object.defineProperty(tool, '$parseRaw', { value: (raw) => options.parameters.parse(JSON.parse(raw)) });",
    "    return tool;",
    "  }",
    "}",
  ].join("\\n");
  return { url: "data:text/javascript," + encodeURIComponent(source), format: "module", shortCircuit: true };
}
`;
register("data:text/javascript," + encodeURIComponent(HOOKS));

async function importPackage(name, subpath = ".") {
  const dir = path.join(MODULES, ...name.split("/"));
  const manifest = JSON.parse(await readFile(path.join(dir, "package.json"), "utf8"));
  const target = manifest.exports?.[subpath];
  const file = typeof target === "string" ? target : (target?.import ?? manifest.module ?? "dist/index.js");
  const module = await import(pathToFileURL(path.join(dir, file)).href);
  return { module, version: manifest.version };
}

// ---- the local functions (mirrored in test_parity_runtime.py) ----------------------------
class Counter {
  constructor(start = 0) {
    this.start = start;
  }
  add(amount) {
    return this.start + amount;
  }
}

const FIXTURES = {
  echo: function echo(...args) {
    return args;
  },
  greet: function greet(name) {
    return `Hello, ${name}!`;
  },
  boom: function boom() {
    throw new Error("kaput");
  },
  nothing: function nothing() {
    return undefined;
  },
  asyncAdd: async function asyncAdd(a, b) {
    return a + b;
  },
  goTo: function goTo(target, context) {
    context.navigate(target);
    return target;
  },
  contextKeys: function contextKeys(context) {
    return Object.keys(context).sort();
  },
  Counter,
  textTools: {
    upper(text) {
      return text.toUpperCase();
    },
    lower(text) {
      return text.toLowerCase();
    },
  },
  notCallable: 42,
};

function loadersFor(modules) {
  const loaders = {};
  for (const [file, exports] of Object.entries(modules ?? {})) {
    loaders[file] = async () => {
      if (exports === "$throw") throw new Error(`cannot import ${file}`);
      if (exports && typeof exports === "object" && "$module" in exports) return exports.$module;
      // A module namespace lists its exports in code unit order.
      const namespace = {};
      for (const exportName of Object.keys(exports).sort()) {
        const fixture = exports[exportName];
        if (!(fixture in FIXTURES)) throw new Error(`unknown fixture ${fixture}`);
        namespace[exportName] = FIXTURES[fixture];
      }
      return namespace;
    };
  }
  return loaders;
}

// ---- the backend executor stub (mirrored in the test) ------------------------------------
function makeExecutor(log) {
  return async ({ functionName, payload }) => {
    log.push({ functionName, payload: plain(payload) });
    if (functionName === "remote_fail") throw new Error('{"error":"boom","status":500}');
    if (functionName === "silent") return undefined;
    return { temp: 21.5, unit: "C", payload };
  };
}

function plain(value) {
  return value === undefined ? { $undefined: true } : value;
}

function toolRecord(tool) {
  // What the SDK sends per function tool in session.update (openaiRealtimeBase), and `strict`.
  const sent = Object.fromEntries(
    Object.entries({
      type: tool.type,
      name: tool.name,
      description: tool.description,
      parameters: tool.parameters,
    }).filter(([, value]) => value !== undefined),
  );
  return { ...sent, strict: tool.strict };
}

async function runScenario(navai, core, utils, scenario) {
  const navigations = [];
  const backendCalls = [];
  const routes = scenario.routes ?? [];
  const out = {
    id: scenario.id,
    routes: (scenario.routeInputs ?? []).map((input) => ({
      input,
      path: plain(navai.resolveNavaiRoute(input, routes)),
    })),
    promptLines: navai.getNavaiRoutePromptLines(routes),
  };
  const registry = await navai.loadNavaiFunctions(loadersFor(scenario.modules));
  out.registry = {
    functions: registry.ordered.map(({ name, description, source }) => ({ name, description, source })),
    warnings: registry.warnings,
  };
  const options = {
    routes,
    navigate: (target) => navigations.push(target),
    functionModuleLoaders: loadersFor(scenario.modules),
    backendFunctions: scenario.backendFunctions ?? [],
  };
  if (scenario.executor) options.executeBackendFunction = makeExecutor(backendCalls);
  if (scenario.baseInstructions !== undefined) options.baseInstructions = scenario.baseInstructions;
  const { agent, warnings } = await navai.buildNavaiAgent(options);
  const tools = await agent.getAllTools(new core.RunContext({}));
  out.agent = {
    name: agent.name,
    instructions: agent.instructions,
    warnings,
    tools: tools.map(toolRecord),
    handoffs: agent.handoffs.length,
  };
  out.calls = [];
  for (const [name, args] of scenario.calls ?? []) {
    const tool = tools.find((item) => item.name === name && item.type === "function");
    if (!tool) {
      out.calls.push({ tool: name, arguments: args, found: false });
      continue;
    }
    const runContext = new core.RunContext({});
    const toolCall = { type: "function_call", callId: "call_1", name, arguments: args };
    const result = await core.invokeFunctionTool({ tool, runContext, input: args, details: { toolCall } });
    out.calls.push({
      tool: name,
      arguments: args,
      found: true,
      kind: typeof result,
      output: utils.toSmartString(result),
    });
  }
  out.navigations = navigations;
  out.backendCalls = backendCalls;
  return out;
}

async function sessionTools(agent, runContext) {
  // RealtimeSession #setCurrentAgent: the agent's tools, then its enabled handoffs as tools.
  const tools = (await agent.getAllTools(runContext)).map(toolRecord);
  const handoffs = (await agent.getEnabledHandoffs(runContext)).map((handoff) => handoff.getHandoffAsFunctionTool());
  return [...tools, ...handoffs];
}

async function runAgentScenario(navai, core, utils, scenario) {
  const navigations = [];
  const backendCalls = [];
  const config = await navai.resolveNavaiFrontendRuntimeConfig({
    moduleLoaders: loadersFor(scenario.modules),
    defaultRoutes: scenario.routes ?? [],
    env: scenario.env ?? {},
    functionsFolders: scenario.functionsFolders,
    agentsFolders: scenario.agentsFolders,
  });
  const out = {
    id: scenario.id,
    config: {
      functionModules: Object.keys(config.functionModuleLoaders),
      agents: config.agents.map((agent) => ({
        key: agent.key,
        name: agent.name,
        description: plain(agent.description),
        handoffDescription: plain(agent.handoffDescription),
        instructions: plain(agent.instructions),
        isPrimary: agent.isPrimary,
        functionModules: Object.keys(agent.functionModuleLoaders),
      })),
      primaryAgentKey: plain(config.primaryAgentKey),
      warnings: config.warnings,
    },
  };
  const { agent, warnings } = await navai.buildNavaiAgent({
    navigate: (target) => navigations.push(target),
    routes: config.routes,
    functionModuleLoaders: config.functionModuleLoaders,
    agents: config.agents,
    primaryAgentKey: config.primaryAgentKey,
    backendFunctions: scenario.backendFunctions ?? [],
    executeBackendFunction: makeExecutor(backendCalls),
  });
  const runContext = new core.RunContext({});
  const describe = async (current) => ({
    name: current.name,
    instructions: current.instructions,
    tools: await sessionTools(current, runContext),
  });
  out.warnings = warnings;
  out.agents = [await describe(agent)];
  for (const handoff of agent.handoffs) out.agents.push(await describe(handoff));
  out.calls = [];
  let current = agent;
  for (const [name, args] of scenario.calls ?? []) {
    // As #handleFunctionCall looks them up: maps by name (of two alike, the last), handoffs first.
    const handoffs = new Map((await current.getEnabledHandoffs(runContext)).map((item) => [item.toolName, item]));
    const handoff = handoffs.get(name);
    if (handoff) {
      current = await handoff.onInvokeHandoff(runContext, args);
      out.calls.push({ tool: name, arguments: args, agent: current.name, output: core.getTransferMessage(current) });
      continue;
    }
    const tool = new Map((await current.getAllTools(runContext)).map((item) => [item.name, item])).get(name);
    if (!tool || tool.type !== "function") {
      out.calls.push({ tool: name, arguments: args, agent: current.name, found: false });
      continue;
    }
    const toolCall = { type: "function_call", callId: "call_1", name, arguments: args };
    const result = await core.invokeFunctionTool({ tool, runContext, input: args, details: { toolCall } });
    out.calls.push({ tool: name, arguments: args, agent: current.name, output: utils.toSmartString(result) });
  }
  out.navigations = navigations;
  out.backendCalls = backendCalls;
  return out;
}

async function readSpeechProviders(navai, bodies) {
  // createClientSecret on each raw body (status 200, as the backend answers it).
  const results = [];
  for (const body of bodies) {
    const client = navai.createNavaiBackendClient({
      apiBaseUrl: "http://127.0.0.1:9",
      fetchImpl: async () => new Response(body, { status: 200, headers: { "Content-Type": "application/json" } }),
    });
    try {
      const secret = await client.createClientSecret({});
      results.push({ body, provider: secret.speech.provider });
    } catch (error) {
      results.push({ body, error: String(error?.message ?? error) });
    }
  }
  return results;
}

async function runSession(navai, url, scenario) {
  const { RealtimeSession } = (await importPackage("@openai/agents-realtime")).module;
  const config = await navai.resolveNavaiFrontendRuntimeConfig({
    moduleLoaders: loadersFor(scenario.modules),
    defaultRoutes: scenario.routes ?? [],
    env: scenario.env ?? {},
    functionsFolders: scenario.functionsFolders,
    agentsFolders: scenario.agentsFolders,
  });
  const { agent } = await navai.buildNavaiAgent({
    navigate: () => {},
    routes: config.routes,
    functionModuleLoaders: config.functionModuleLoaders,
    agents: config.agents,
    primaryAgentKey: config.primaryAgentKey,
    backendFunctions: scenario.backendFunctions ?? [],
    executeBackendFunction: makeExecutor([]),
  });
  const session = new RealtimeSession(agent);
  session.on("error", (error) => console.error("session error", error?.error?.message ?? error));
  await session.connect({ apiKey: "ek_parity", url });
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.on("end", resolve));
  session.close();
}

async function main() {
  if (process.argv[2] === "--session") {
    globalThis.__navaiParityRealtimeSchemas = true;
    const scenario = JSON.parse(await readFile(process.argv[4], "utf8"));
    await runSession((await importPackage(PACKAGE)).module, process.argv[3], scenario);
    return;
  }
  const input = JSON.parse(await readFile(process.argv[2], "utf8"));
  const { scenarios, agentScenarios = [], speechBodies = [] } = Array.isArray(input) ? { scenarios: input } : input;
  const { module: navai, version } = await importPackage(PACKAGE);
  const { module: core, version: coreVersion } = await importPackage("@openai/agents-core");
  const { module: utils } = await importPackage("@openai/agents-core", "./utils");
  const versions = { [PACKAGE]: version, "@openai/agents-core": coreVersion };
  for (const name of ["@openai/agents-realtime", "openai", "zod"]) {
    versions[name] = JSON.parse(await readFile(path.join(MODULES, name, "package.json"), "utf8")).version;
  }

  // As installed: the strict conversion of the zod schemas throws.
  let asInstalled;
  try {
    await navai.buildNavaiAgent({ routes: [], navigate: () => {} });
    asInstalled = { ok: true };
  } catch (error) {
    asInstalled = { ok: false, name: error?.constructor?.name, message: String(error?.message ?? error) };
  }

  globalThis.__navaiParityRealtimeSchemas = true;
  const results = [];
  for (const scenario of scenarios) {
    results.push(await runScenario(navai, core, utils, scenario));
  }
  const agentResults = [];
  for (const scenario of agentScenarios) {
    agentResults.push(await runAgentScenario(navai, core, utils, scenario));
  }
  const speech = await readSpeechProviders(navai, speechBodies);
  process.stdout.write(
    JSON.stringify({
      entry: `${PACKAGE}@${version}`,
      versions,
      asInstalled,
      scenarios: results,
      agentScenarios: agentResults,
      speech,
    }),
  );
}

main().catch((error) => {
  console.error(error?.stack ?? String(error));
  process.exit(1);
});
