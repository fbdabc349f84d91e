import { z } from "zod";
import type { ChatCompletionFunctionTool } from "openai/resources/chat/completions";

/**
 * The executor's tools. None takes a recipient, a task id or a channel: a run can only reach its own task's
 * owner and change its own task, whatever the model is talked into. Arguments are validated strictly:
 * an extra property (a "to", a "phone") is rejected, not ignored, so an attempt is visible in the log.
 */

export const LIMITS = {
  /** Characters of one message to the owner. */
  messageChars: 1600,
  noteChars: 1000,
  titleChars: 200,
} as const;

export const ToolArgs = {
  send_message: z.strictObject({ text: z.string().trim().min(1).max(LIMITS.messageChars) }),
  record_note: z.strictObject({ note: z.string().trim().min(1).max(LIMITS.noteChars) }),
  schedule_follow_up: z.strictObject({
    when: z.string().trim().min(1).max(200),
    title: z.string().trim().min(1).max(LIMITS.titleChars),
  }),
  finish_recurring_task: z.strictObject({ reason: z.string().max(500) }),
};

export type ToolName = keyof typeof ToolArgs;
export const TOOL_NAMES = Object.keys(ToolArgs) as ToolName[];

const fn = (name: ToolName, description: string, properties: Record<string, unknown>): ChatCompletionFunctionTool => ({
  type: "function",
  function: {
    name,
    description,
    strict: true,
    parameters: { type: "object", properties, required: Object.keys(properties), additionalProperties: false },
  },
});

export const TOOLS: ChatCompletionFunctionTool[] = [
  fn("send_message", "Send a message to the task's owner (the only person Herald can reach from this task).", {
    text: { type: "string", description: `The message, at most ${LIMITS.messageChars} characters.` },
  }),
  fn("record_note", "Keep a short note with this run; the next run of this task sees it.", {
    note: { type: "string" },
  }),
  fn("schedule_follow_up", "Schedule one later reminder for the owner (at most one per run).", {
    when: { type: "string", description: "When, in words: 'in 2 hours', 'tomorrow at 9am'." },
    title: { type: "string", description: "What the follow-up reminds about." },
  }),
  fn("finish_recurring_task", "End this repeating task after this run, when it has nothing left to do.", {
    reason: { type: "string" },
  }),
];

export type ParsedCall =
  | { ok: true; name: ToolName; args: Record<string, string> }
  | { ok: false; name: string; error: string };

/** Validates one tool call's name and JSON arguments. Pure. */
export function parseToolCall(name: string, rawArgs: string): ParsedCall {
  if (!(name in ToolArgs))
    return { ok: false, name, error: `unknown tool "${name}"; the tools are ${TOOL_NAMES.join(", ")}` };
  let json: unknown;
  try {
    json = JSON.parse(rawArgs || "{}");
  } catch {
    return { ok: false, name, error: "arguments are not valid JSON" };
  }
  const r = ToolArgs[name as ToolName].safeParse(json);
  if (!r.success) {
    const extra = r.error.issues.find((i) => i.code === "unrecognized_keys");
    const error = extra
      ? `rejected: ${name} takes no ${(extra as { keys: string[] }).keys.join(", ")}; messages only ever go to the task's owner`
      : `invalid arguments: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`;
    return { ok: false, name, error };
  }
  return { ok: true, name: name as ToolName, args: r.data as Record<string, string> };
}
