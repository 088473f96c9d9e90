// WebMCP: where the browser offers `document.modelContext`, the page registers the agent tools, run by this tab's engine.
import { z } from 'zod';
import type { AgentEngine } from './agent-channel.ts';

/** One tool as worker/agent/specs.ts defines it. */
export interface WebToolSpec {
  name: string;
  description: string;
  inputSchema: z.ZodObject;
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

/** The input schema as JSON Schema: what a browser agent reads (defaults applied by the engine's own parse). */
export function jsonSchemaOf(schema: z.ZodObject): unknown {
  return z.toJSONSchema(schema, { io: 'input' });
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
      inputSchema: jsonSchemaOf(spec.inputSchema),
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
