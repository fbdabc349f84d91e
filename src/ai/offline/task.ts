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
      "tell me",
      "let me know",
      "text me",
      "sms me",
      "email me",
      "e-mail me",
      "message me",
      "slack me",
      "dm me",
      "make sure(?: that)?(?: i| to)?",
      // "book club" and "plan b" are things, not requests.
      "(?:set|setup|set up|create|make|add|put|schedule|book(?! club| fair| group)|plan(?! b\\b)|arrange|organi[sz]e|write down|note down|jot down|note|save|enter|block off|block out|mark|flag|give me|send me|turn on|activate|new)(?: up)?(?: me| my| for me)?(?: a| an| the| my| some| another| \\d+| a couple of| a few)?(?: new| quick| repeating| recurring| daily| weekly| monthly| yearly)?(?: calendar)?(?: reminder alert| reminder notification| event reminder| appointment reminder| alarm call| wake up call| wakeup call| calendar entry| calendar event| reminders?| alarms?(?: clock)?| timers?| notifications?| alerts?| events?| entry)?",
      // Weaker verbs lead a request only with the thing they ask for ("start a new alarm", "sound alarm").
      "(?:do|need|start|initiate|generate|get|have|program|sound|ring|beep|turn)(?: me)?(?: a| an| the| my| some)?(?: new)? (?:alarms?|reminders?|timers?|alerts?)(?: set(?: up)?| going| on)?",
      "(?:a|an|the|my|some)(?: new)? (?:alarms?|reminders?|timers?|alerts?)(?: set(?: up)?| going| on)?",
      "(?:i'm|im|i am) (?:gonna|going to) need",
      "i (?:don't|dont|do not) want to forget",
      "i (?:can't|cannot|mustn't|must not|shouldn't) forget",
      "i (?:need|have) to remember",
      "(?:i'll|i will|gonna) need",
      "(?:can|could|may) i (?:have|get)",
      "get me up",
      "time (?:me|my)",
      "wake me up",
      "wake me",
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
  /\s*\b(?:please|thanks|thank you|ok|okay|for me|on|at|for|to|by|in|and|or|the|a|an|of|reminder|alarm|timer|countdown|alert|again|remind me|please remind me|set it|set|can you remind me|to my calendar|on my calendar|in my calendar|on the calendar|in the calendar|to the calendar|to calendar|on calendar|my calendar|calendar|is|was|it|i need to be reminded of|labelled|labeled|called|named|starting|from|after|before|since|thats|that's|that is|which is|going)$/;
const CALENDAR = /\b(?:to|on|in|into|onto) (?:the |my |our )?(?:\w+ )?calendar\b/g;
const DELIVERY =
  /\b(?:(?:post|send|share|put) (?:it|this|that|them)? ?(?:in|to|on)|in|to|on) [#@][\w.-]+\b|\b(?:by|via|over|through) (?:text|sms|e-?mail|slack)(?: message)?\b|\b(?:and )?(?:tell|text|message|ping|notify|email|e-mail|dm|let) me(?: know)?(?: the result| how it went)? (?:in|on|by|via|over|through) (?:slack|sms|text|e-?mail)\b/g;
/** The words of a message to send are its task: "text me at 6 saying dinner is ready". */
const SAYING = /\b(?:saying|that says|which says|with the (?:message|text|words))\s+(.+)$/;
/** How an alarm goes off is not what it is for: "an alarm that goes off at 5", "one that sounds only on weekdays". */
const SOUNDING =
  /\b(?:that|which) (?:goes|sounds?|rings?|plays?|beeps?|buzz(?:es)?)(?: off)?(?: only)?(?= |$)|\bto (?:go off|ring|sound|beep|buzz)(?= |$)|\bgoes off\b/g;
/** A request word to Herald: after it, "to" starts the task itself ("set an alarm to make food"). */
const REQUEST =
  /\b(?:remind|remember|forget|notify|alert|ping|nudge|tell me|let me know|text me|sms me|e-?mail me|message me|slack me|dm me|set|setup|create|make|add|put|schedule|book|plan|arrange|organi[sz]e|note|save|enter|block|mark|flag|give me|send me|turn on|activate|new|reminders?|alarms?|timers?|alerts?)\b/;
/** What may still follow that "to" without being the task: "set an alarm to wake me up", "… to go off at 5". */
const AFTER_TO =
  /^(?:wake me up|wake me|wake up|get me up|get up|go off|ring|remind me|alert me|notify me|there is|there's|there are|i have to|i need to|i must)\b\s*/;
/** The name given to an alarm or reminder is its task: "an alarm called wake up", "name it Margaret's birthday". */
const NAMED =
  /\b(?:(?:alarms?|reminders?|timers?|alerts?|events?|it|one)\s+(?:called|named|titled|labell?ed)|(?:name|call|title|label) it|^(?:name|label|named|called|titled|labell?ed))\s+(.+)$/;

/** Strips the request wording off the front and the filler off the end. */
function trimRequest(text: string): string {
  let t = text;
  let request = false;
  for (let i = 0; i < 16; i++) {
    const before = t;
    const marker = /^(?:(?:to|that|about|of) )+/.exec(t);
    if (request && marker) {
      // The task starts here ("remind me to book the train"); only wording about the alarm itself may lead it.
      t = t.slice(marker[0].length).replace(AFTER_TO, "");
      for (let j = 0; j < 4 && TRAIL.test(t); j++) t = t.replace(TRAIL, "").trim();
      return t;
    }
    const lead = LEAD.exec(t);
    if (lead) {
      t = t.slice(lead[0].length);
      if (REQUEST.test(lead[0])) request = true;
    }
    t = t.replace(TRAIL, "").trim();
    if (t === before) break;
  }
  return t;
}

/** The task words of a create, or null when none are left ("set an alarm for 7"). */
export function taskText(masked: string): string | null {
  let t = masked
    .replace(DELIVERY, " ")
    // A preposition right before blanked time words belonged to them ("starting at ___ in goshen", "one ___
    // and one ___").
    .replace(
      /\b(?:at|on|in|for|by|from|starting|until|till|of|this|next|around|about|between|during|one|1)(?: the)?\s{2,}/g,
      "  ",
    )
    .replace(CALENDAR, " ")
    .replace(SOUNDING, " ")
    .replace(/(^|\s)'+|'+(?=\s|$)/g, "$1")
    .replace(/\s+/g, " ")
    .trim();
  const inner = /\b(?:remind me|reminded|reminder) (?:to|about|of|that) (.+)$/.exec(t);
  if (inner && inner.index > 0) t = inner[1]!;
  const words = SAYING.exec(t);
  if (words) return words[1]!.replace(TRAIL, "").trim() || null;
  const named = NAMED.exec(t);
  t = named ? named[1]!.replace(TRAIL, "") : trimRequest(t);
  t = t
    .replace(/^(?:labelled|labeled|called|named|titled)\s+/, "")
    .replace(/\s+/g, " ")
    .trim();
  // What is left of "start a 10 minute countdown", "set my timer again": nothing to remind about.
  if (!t || /^(?:it|this|that|something|me|up|one|a|an|the|my|new|a new|start|begin|run|again|another)$/.test(t))
    return null;
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
