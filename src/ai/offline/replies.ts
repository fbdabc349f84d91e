import type { Intent } from "../types.js";

/**
 * The short replies of a conversation: "done", "skip next", "undo", "yes", "no". Each must be the whole
 * message (bar a "please" or "thanks"): "no, at 6" is a correction and "skip the gym on friday" a request,
 * both read by the full grammar instead.
 */

export interface Reply {
  intent: Extract<Intent, "done" | "skip" | "undo" | "confirm" | "deny">;
  /** Words that name the task ("skip the next recycling one" → "recycling"), when any. */
  words?: string;
}

const AGREE =
  "yes|yeah|yea|yep|yup|ya|yah|y|sure|sure thing|ok|okay|k|kk|alright|all right|fine|confirm|confirmed|correct|right|that's right|thats right|exactly|absolutely|definitely|of course|affirmative|sounds good|perfect|great|that works|works for me|go ahead|go for it|do it|please do|do that|make it so|that's it|thats it|that's correct|yes please|please";
const RE_CONFIRM = new RegExp(`^(?:(?:${AGREE})(?: |$))+$`);
const RE_DENY =
  /^(?:no|nope|nah|n|no thanks|no thank you|no don't|no dont|don't|dont|do not|don't do it|dont do it|do not do it|don't do that|not that|not that one|wrong|that's wrong|thats wrong|that's not right|not right|incorrect|negative|no way|not now|not really|no no)$/;

const THING = "(?:it|that|this|them|(?:the |my |this |that )?(.+?)(?: one| reminder| task| alarm)?)";
const RE_DONE = [
  /^(?:(?:i'm|im|i am|i've|ive|i have|i|we|we've|it's|its|it is|that's|thats|all|just|ok|okay|yes|yep) )*(?:done|finished|completed|complete|did it|did that|done it|done that|did|finished it|completed it|taken care of|sorted|handled(?: it)?|took care of it|got it done)(?: (?:it|that|this|now|already|with it|with that))*$/,
  new RegExp(`^mark ${THING} (?:as )?(?:done|complete|completed|finished)$`),
  new RegExp(`^(?:check|tick|cross) ${THING} off$`),
  /^(?:complete|finish) (?:it|that|this|(?:the |my )?(.+?) (?:one|reminder|task))$/,
  /^done with (?:it|that|this|(?:the |my )?(.+?)(?: one| reminder| task)?)$/,
  /^i (?:just |already )?(?:finished|completed|did|took care of|handled) (?:the |my )(.+?)(?: one| reminder| task)?(?: already)?$/,
];
/** Media skips belong to other assistants ("skip this song"). */
const MEDIA = /\b(?:songs?|tracks?|ads?|intro|chapter|episode|video|music|playlist|podcast|commercial)\b/;
const RE_SKIP_LAST =
  /^skip(?: (?:it|this|that|this one|that one|next|the next|the next one|next one|today|tomorrow|this time|this week|once|for now))*$/;
const RE_SKIP_NAMED =
  /^skip (?:the )?(?:next |this |today's |tomorrow's |this week's |upcoming )?(.+?)(?: one| reminder| alarm| task)?(?: (?:today|tomorrow|this time|this week|next time|for now))?$/;
const RE_UNDO =
  /^(?:undo|revert|reverse|roll back|rollback|take back|take that back|oops undo|whoops undo)(?: (?:it|that|this|the last (?:one|change|thing|action|step)|last (?:change|action)|my last (?:change|action)|what you (?:just )?did|that change))?$/;

/** The everyday reply a whole message is, or null when it is not one. */
export function everydayReply(s: string): Reply | null {
  const t = s
    .replace(/^(?:(?:hey|olly|alexa|hi|oh|um|uh|well) )+/, "")
    .replace(/(?: (?:please|thanks|thank you|thx|now|then))+$/, "")
    .trim();
  if (RE_UNDO.test(t)) return { intent: "undo" };
  if (RE_CONFIRM.test(t)) return { intent: "confirm" };
  if (RE_DENY.test(t)) return { intent: "deny" };
  for (const re of RE_DONE) {
    const m = re.exec(t);
    if (m) return m[1] ? { intent: "done", words: m[1] } : { intent: "done" };
  }
  if (RE_SKIP_LAST.test(t)) return { intent: "skip" };
  const skip = RE_SKIP_NAMED.exec(t);
  if (skip && !MEDIA.test(t)) return { intent: "skip", words: skip[1]! };
  return null;
}
