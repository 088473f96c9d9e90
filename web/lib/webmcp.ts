// WebMCP: where the browser offers `document.modelContext`, the page registers the agent tools, run by this tab's engine.
import type { AgentEngine } from './agent-channel.ts';

/** One tool as worker/agent/specs.ts defines it, its input schema already JSON Schema. */
export interface WebToolSpec {
  name: string;
  description: string;
  inputSchema: unknown;
  readOnly: boolean;
}

/** A WebMCP tool as `registerTool` takes it. */
interface WebTool {
  name: string;
  description: string;
  inputSchema: unknown;
  annotations: { readOnlyHint: boolean };
  execute: (input: unknown) => Promise<{ content: { type: 'text'; text: string }[]; isError: boolean }>;
}

/** The part of the (experimental) model context the page uses. */
interface ModelContext {
  registerTool(tool: WebTool, options?: { signal?: AbortSignal }): unknown;
}

function modelContextOf(doc: unknown): ModelContext | null {
  const context = (doc as { modelContext?: unknown } | undefined)?.modelContext;
  return context && typeof (context as ModelContext).registerTool === 'function'
    ? (context as ModelContext)
    : null;
}

/** Whether this browser offers WebMCP (Chromium with --enable-features=WebMCP). */
export function hasWebMcp(doc: unknown = globalThis.document): boolean {
  return modelContextOf(doc) !== null;
}

/**
 * The agent tools with their input schemas as JSON Schema (what a browser agent reads; defaults are applied by
 * the engine's own parse). Loaded on demand: the specs and zod are needed only where WebMCP is offered, so they
 * stay out of the app's first bundle.
 */
export async function loadWebTools(): Promise<WebToolSpec[]> {
  const [{ TOOL_SPECS }, { z }] = await Promise.all([import('../../worker/agent/specs.ts'), import('zod')]);
  return TOOL_SPECS.map((spec) => ({
    name: spec.name,
    description: spec.description,
    inputSchema: z.toJSONSchema(spec.inputSchema, { io: 'input' }),
    readOnly: spec.readOnly,
  }));
}

/**
 * Registers every tool on `document.modelContext`; does nothing where it is missing. Returns the undo
 * (registration is tied to an AbortSignal), called when this tab lets the database go.
 */
export function registerWebMcp(options: {
  specs: readonly WebToolSpec[];
  engine: AgentEngine;
  mayConfirm: () => boolean;
  doc?: unknown;
}): () => void {
  const context = modelContextOf(options.doc ?? globalThis.document);
  if (!context) return () => undefined;
  const registered = new AbortController();
  for (const spec of options.specs) {
    const tool: WebTool = {
      name: spec.name,
      description: spec.description,
      inputSchema: spec.inputSchema,
      annotations: { readOnlyHint: spec.readOnly },
      execute: async (input) => {
        const args = typeof input === 'string' ? (JSON.parse(input) as unknown) : input;
        const result = await options.engine.agentTool({
          name: spec.name,
          args: args && typeof args === 'object' ? (args as Record<string, unknown>) : {},
          // WebMCP says nothing about the agent calling; the log names the transport.
          client: 'browser agent (WebMCP)',
          transport: 'webmcp',
          agentsMayConfirm: options.mayConfirm(),
        });
        return { content: [{ type: 'text', text: result.text }], isError: result.isError };
      },
    };
    void Promise.resolve(context.registerTool(tool, { signal: registered.signal })).catch(() => undefined);
  }
  return () => registered.abort();
}
