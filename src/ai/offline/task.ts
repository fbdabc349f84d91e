/**
 * The task of a create: what is left of the message once the time words (already blanked out by the
 * grammars), the request wording ("remind me to", "set an alarm for") and delivery words are removed.
 */

const LEAD = new RegExp(
  "^(?:" +
    [
      "olly",
      "alexa",
      "siri",
      "hey siri",
      "hey",
      "hi",
      "hello",
      "ok google",
      "okay google",
      "google",
      "ok",
      "okay",
      "so",
      "and",
      "also",
      "then",
      "please",
      "pls",
      "kindly",
      "just",
      "can you",
      "could you",
      "would you",
      "will you",
      "can u",
      "you",
      "i want you to",
      "i need you to",
      "i'd like you to",
      "i would like you to",
      "i want to",
      "i would like to",
      "i'd like to",
      "i need to be reminded",
      "i need a reminder",
      "i want a reminder",
      "i need",
      "i want",
      "i would like",
      "i'd like",
      "remind me",
      "remind",
      "remember me",
      "remember",
      "don't let me forget",
      "do not let me forget",
      "don't forget",
      "do not forget",
      "notify me",
      "alert me",
      "ping me",
      "nudge me",
      "get me up",
      "wake me up",
      "wake me",
      "tell me",
      "let me know",
      "text me",
      "sms me",
      "email me",
      "e-mail me",
      "message me",
      "slack me",
      "dm me",
      "(?:set|setup|set up|create|make|add|put|schedule|book|plan|arrange|organi[sz]e|write down|note down|jot down|note|save|enter|block off|block out|mark|flag|give me|send me|turn on|activate|new)(?: up)?(?: me| my| for me)?(?: a| an| the| my| some)?(?: new| quick| repeating| recurring| daily| weekly| monthly| yearly)?(?: calendar)?(?: reminders?| alarms?(?: clock)?| timers?| notifications?| alerts?| events?| entry| reminder alert| reminder notification| wake up call| wakeup call| calendar entry| calendar event| event reminder| appointment reminder)?",
      "a reminder",
      "reminder",
      "an alarm",
      "alarm",
      "a timer",
      "timer",
      "to",
      "about",
      "of",
      "that",
      "for",
      "on",
      "at",
      "in",
      "by",
      "as",
      "me",
      "is",
      "there is",
      "there's",
      "i have",
      "i've got",
    ].join("|") +
    ")\\b\\s*",
);
const TRAIL =
  /\s*\b(?:please|thanks|thank you|ok|okay|for me|on|at|for|to|by|in|and|or|the|a|an|of|reminder|alarm|remind me|please remind me|set it|set|can you remind me|to my calendar|on my calendar|in my calendar|on the calendar|in the calendar|to the calendar|to calendar|on calendar|my calendar|calendar|is|was|it|i need to be reminded of|labelled|labeled|called|named|starting|from)$/;
const CALENDAR = /\b(?:to|on|in|into|onto) (?:the |my |our )?(?:\w+ )?calendar\b/g;
const DELIVERY =
  /\b(?:(?:post|send|share|put) (?:it|this|that|them)? ?(?:in|to|on)|in|to|on) [#@][\w.-]+\b|\b(?:by|via|over|through) (?:text|sms|e-?mail|slack)(?: message)?\b/g;

const TOLD =
  /^(?:(?:please|hey|ok|okay|can you|could you|would you|will you|pls|just|and|also|so) )*(?:remind me|remember|don't let me forget|do not let me forget|don't forget|do not forget) (?:to|about|of|that) (.+)$/;

/** The task words of a create, or null when none are left ("set an alarm for 7"). */
export function taskText(masked: string): string | null {
  let t = masked
    .replace(DELIVERY, " ")
    // A preposition right before blanked time words belonged to them ("starting at ___ in goshen").
    .replace(/\b(?:at|on|in|for|by|from|starting|until|till|of|this|next|around|about)\s{2,}/g, "  ")
    .replace(CALENDAR, " ")
    .replace(/\s+/g, " ")
    .trim();
  const inner = /\b(?:remind me|reminded|reminder) (?:to|about|of|that) (.+)$/.exec(t);
  if (inner && inner.index > 0) t = inner[1]!;
  // After "remind me to", the next verb is the task's own ("remind me to book the train"), not a request word.
  const told = TOLD.exec(t);
  if (told) t = told[1]!;
  for (let i = 0; i < 12; i++) {
    const before = t;
    t = (told ? t : t.replace(LEAD, "")).replace(TRAIL, "").trim();
    if (t === before) break;
  }
  t = t
    .replace(/^(?:labelled|labeled|called|named|titled)\s+/, "")
    .replace(/\s+/g, " ")
    .trim();
  if (!t || /^(?:it|this|that|something|me|up|one|a|an|the|my)$/.test(t)) return null;
  return t;
}

/**
 * The task as the user wrote it ("call Mom", "review the PR"): the grammar works on lower-cased text,
 * so its words are found again in the original, when they stand there in that order.
 */
export function originalCase(task: string, original: string): string {
  const words = task
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  if (!words.length) return task;
  const m = new RegExp(`\\b${words.join("[\\s,;:.!]+")}(?![\\w'])`, "i").exec(original);
  return m ? m[0] : task;
}
