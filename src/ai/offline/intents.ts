import type { Channel, Intent } from "../types.js";
import { findShift } from "./edit-words.js";
import { zoneFromName } from "./zones.js";

/**
 * Intent rules over the normalized message. Each intent has a few phrase families; when families of
 * different intents match, the one said first wins ("remind me to cancel the gym" is a create,
 * "cancel my reminder to call mom" a cancel), and questions about one's own schedule are lists.
 */

/** Things people keep on a calendar or have reminders for. */
const ITEMS =
  "(?:reminders?|alarms?|timers?|events?|meetings?|appointments?|calendar|schedule|agenda|alerts?|notifications?|plans?|tasks?|to-?dos?|entries|entry|bookings?)";
/** Other assistant domains: a verb aimed at these is not about reminders ("stop the music"). */
const MEDIA =
  "(?:music|songs?|tracks?|playlists?|podcasts?|audiobooks?|radio|station|lights?|lamps?|plugs?|volume|tv|video|videos|emails?|inbox|messages?|photos?|pictures?|facebook|twitter|uber|taxi|cab|order|app|wifi|bluetooth|chapter)";
const OTHER_DOMAIN = new RegExp(
  `\\b(?:weather|forecast|temperature|play|song|music|radio|podcast|audiobook|news|headlines|taxi|uber|lights?|lamp|recipe|cook|order|deliver(?:ed|y)?|takeaway|translate|convert|definition|define|joke|stocks?|score|traffic|tickets?|trains?|flights?|hotels?|table|restaurants?|${MEDIA})\\b`,
);

/** Weather and sky: a question or request about them is not about reminders, unless it asks for one. */
const WEATHER =
  /\b(?:weather|forecast|rain(?:s|ing|y)?|snow(?:s|ing|y)?|sunny|cloudy|humid(?:ity)?|storms?|stormy|thunder(?:storms?)?|hurricanes?|tornado|wind(?:y|s)?|temperature|degrees|umbrella|sunrise|sunset|pollen|fog(?:gy)?|hail|drizzle|freezing|chilly|heat ?wave|heat index|uv index|dew point|celsius|fahrenheit|how (?:hot|cold|warm|chilly))\b/;
/** Messages to other people are another assistant's job ("tell grandma dinner at 8", "text shayna …"). */
const MESSAGE_TO =
  /^(?:please |can you |could you |would you |will you )?(?:(?:tell|text|message|msg|ask|inform|email|e-mail|dm|reply to|respond to|write to|alert|notify|warn)\b(?! me\b)|send (?!(?:me|an? (?:reminder|alarm|alert|notification|invite|invitation|calendar))\b)|let (?!me\b)[\w']+(?: [\w']+)? know\b)/;

const RE_HELP =
  /^(?:help|help me|\?|commands|menu|info|usage|what can you do|what can i (?:say|ask|do)|what do you do|how does (?:this|it) work|how do i use (?:this|you|it|herald)|how do (?:i|you) (?:cancel|set|create|delete|make|add|snooze|pause) (?:a |an )?(?:reminders?|alarms?))(?: please)?$|^how (?:do|can|would) (?:i|you) (?:cancel|set|create|delete|make|add|snooze|pause|use|start|stop) (?:up )?(?:a |an |the |my )?(?:reminders?|alarms?|timers?)\b/;
const RE_SNOOZE =
  /^(?:please |ok |okay )?(?:snooze|remind me again|again in|ping me again|nudge me again)\b|^(?:please )?(?:give me |just |ok |okay )?(?:another|\d+ more|a few more|a couple more|one more) (?:minutes?|mins?)\b|\bsnooze\b(?! (?:button|setting|option|sound|length))|^(?:silence|pause|hold|quiet|mute) (?:the |my |this |that )?alarms?(?: off)?(?: for| in)? \d/;
const RE_PAUSE = new RegExp(
  `^(?:please |can you |could you )?(?:pause|mute|silence|suspend|hold|freeze)\\b(?! ${MEDIA}\\b)(?! (?:the |my )${MEDIA}\\b)|\\bput (?:my |all |all my |the )?${ITEMS} on hold\\b` +
    // A running timer stops and can go on again; cancelling it is "cancel" or "delete".
    `|^(?:please |can you |could you )?(?:stop|halt|freeze|quit|turn off|shut off|switch off)(?: (?:the|my|this|that|current|\\w+))* (?:timer|stopwatch|countdown|timing|time)\\b|^(?:timer|stopwatch) (?:pause|stop)\\b|^(?:quit|stop) timing\\b|^turn (?:the |my )?timer off\\b`,
);
const RE_RESUME = new RegExp(
  `^(?:please |can you |could you |ok |okay )?(?:resume|unpause|unmute|reactivate|re-?enable|restart|continue(?=$| (?:the |my |this |that )?(?:timer|stopwatch|countdown|it|them|reminders|alarms)\\b)|turn (?:[\\w']+ ){0,3}back on)\\b(?! (?:my |the |this |that )?${MEDIA}\\b)` +
    `|^(?:please |can you |could you )?(?:start|turn on|begin)\\b.*\\b(?:timer|stopwatch|countdown)\\b.*\\bagain\\b|^(?:please )?reset (?:the |my )?(?:\\w+ )?timer$`,
);
const RE_TZ = /\b(?:time ?zone|tz)\b/;
const RE_TZ_NAME = [
  /\b(?:time ?zone|tz)(?: is| to| should be| as|:|=)? (?:now )?(?:set to )?([a-z_/+\- ]+?)$/,
  /\bi(?:'m| am) (?:now |currently )?(?:in|on|using) (?:the )?([a-z_/ ]+?)(?: time| time ?zone)?$/,
  /\bi (?:live|moved|relocated|have moved|am moving|just moved) (?:in|to) ([a-z_/ ]+?)$/,
  /\b(?:switch|change|set|use|go) (?:me )?(?:to )?([a-z_/ ]+?) time$/,
];

const CANCEL_VERB =
  "(?:(?:don't|dont|do not|no longer) (?:need|want)(?= (?:the|my|that|this|it|any|those|these)\\b)|(?:stop|quit|no need to|no need for) remind(?:ing|er)?(?: me)?|cancel|delete|remove|erase|clear|get rid of|scrap|scrub|scratch|unset|undo|disable|deactivate|dismiss|turn off|switch off|shut off|stop|kill|drop|make blank|blank|nevermind|never mind|forget (?:it|about)|(?:don't|dont|do not) remind me|no more|eliminate|terminate|destroy|disregard|halt|wipe|trash|ditch|discard|nix|axe|abort|void|call off)";
const ABOUT_ITEMS = new RegExp(`\\b${ITEMS}\\b|\\b(?:it|that|this|them|all|everything|one|\\d+)\\b|\\bmy day\\b`);
const LIST_ITEMS = new RegExp(`^(?:please )?(?:list|show)(?: me)?(?: all)?(?: of)? (?:my|the)\\b.*\\b${ITEMS}\\b`);
const RE_CANCEL = new RegExp(
  `\\b${CANCEL_VERB}\\b|\\b(?:turn|switch|shut) (?:(?:my|the|this|that|all|all my|all the|\\w+'s) )*(?:alarms?|reminders?|timers?|notifications?|alerts?) off\\b|^(?:alarms?|reminders?) (?:off|stop)\\b`,
);
const RE_CANCEL_MEDIA = new RegExp(
  `\\b${CANCEL_VERB} (?:(?:the|my|this|that|all|all my|all the) )?${MEDIA}\\b(?![\\w' ]*\\b(?:reminders?|alarms?|timers?|events?)\\b)`,
);
/** "I want the alarm terminated", "get that reminder deleted". */
const RE_CANCELLED = new RegExp(
  `\\b(?:${ITEMS}|it|that|this|them)\\b[\\w' ]*\\b(?:terminated|deleted|removed|cancell?ed|gone|erased|cleared|turned off)\\b`,
);

/** An edit with its new time: "move the dentist one to 4pm", "make it 5", "update my alarm for today". */
const RE_RESCHEDULE =
  /^(?:(?:actually|no|wait|sorry|oh|ok|okay|hmm|um|instead|and) )*(?:make (?:it|that)|change (?:it|that) to|move (?:it|that) to)\b|\b(?:move|reschedule|push|postpone|shift|delay|bump|modify|update|adjust|edit|correct|rectify|reset|switch)\b(?: [\w': ]*?)? (?:to|until|till|for|by|back to|forward to)\b|\b(?:change|make) (?:(?:it|that|this|them|my|the|all|all my|your)\b[\w': ]*? )?(?:to|until|till|for|by)\b|^(?:make it|change it to|move to|push to)\b|\breschedule\b|\b(?:changed|moved|rescheduled|pushed|shifted) to\b/;
/** An edit that names no new time yet: "change my alarm", "modify tuesday's alarm", "update that one". */
const RE_EDIT_ITEM =
  /^(?:please |can you |could you |would you |can i |could i |may i |i need to |i want to |i'd like to |i would like to |let's |lets )*(?:change|modify|update|adjust|edit|correct|rectify|reschedule|move|shift|reduce|shorten|lengthen|extend|increase|decrease)\b(?: [\w':]+){0,4}? (?:reminders?|alarms?|timers?|events?|meetings?|appointments?|alerts?|it|that|this|one)\b|\b(?:make|move|set|push) (?:it|that|this|(?:my|the) [\w' ]+?) (?:earlier|later|sooner)\b|\badd (?:some )?(?:more|extra) time\b/;
/** Devices and settings a verb like "change" or "move" may aim at instead ("change the temperature to 70"). */
const SETTINGS =
  /\b(?:temperature|thermostat|heat|heating|ac|air conditioning|volume|lights?|lamps?|brightness|music|songs?|playlist|radio|station|channel|tv|language|ringtone|sound|wallpaper|password)\b/;
/** What makes a shift-like phrase part of a new request ("remind me an hour later"). */
const CREATE_BEFORE = /\b(?:remind|reminder|set (?:a|an|up|me)|create|new|alert me|wake me)\b/;

// "have an alarm go off at 6", "do an alarm for 8" are commands, not questions.
const QUESTION_START =
  /^(?:do(?! an? )|does|did|have(?! an? )|has|is|are|am|was|were|will|any|anything|something|what|what's|whats|when|when's|which|how many|how much|how does|how do|how is|how long|at what time|is there|are there|where)\b/;
const SCHEDULE_WORDS = new RegExp(
  `\\b(?:${ITEMS}|scheduled|booked|anything|any ?thing|anywhere|something|free|busy|going on|coming up|upcoming|on for|on tomorrow|on today|timings|set for|planned)\\b|\\bmy (?:day|morning|afternoon|evening|week|weekend|night)\\b|\\bwhat(?:'s| is) on\\b|\\b(?:do|have|got|did) i (?:have|got|set)\\b|^what time (?:do|did|am|is|are) (?:i|my)\\b|\\b(?:do|did) i (?:need|have) to be\\b|\\bam i (?:supposed|meant|due) to\\b`,
);
const LIST_VERB =
  /^(?:please )?(?:can you |could you |would you )?(?:please )?(?:tell me|show me|show|list|read(?: out| me)?|give me|provide me|provide|check|display|open|let me know|remind me|what about|brief me|get(?: me)?|pull up|bring up|bring to the screen|(?:let me|i want to|i wanna|wanna|want to|i'd like to|i would like to|can i|could i|may i|i need to) (?:see|view|look at|check|review|know))\b.*\b(?:reminders|alarms|events|meetings|appointments|schedule|calendar|agenda|plans|alarm times?|timings|alerts|notifications|timers|next (?:alarm|meeting|appointment|event|reminder)|coming up|upcoming|planned|scheduled|what's on|what is on|what i have|what i've got)\b/;
/** "show alarm for tv shows at 8 pm", "let me see the details for the party reminder": one item shown. */
const SHOW_ONE =
  /^(?:please )?(?:can you |could you )?(?:show(?: me)?|display|let me see|i want to see|wanna see|can i see|pull up|bring up)\b(?: (?:the|my|all|any|all my|the details for|the detail for|details of))?\b.*\b(?:reminder|alarm|event|meeting|appointment|timer)s?\b/;
/** How long is left on a running timer or until an alarm: "how much time is left", "is my 10 minutes up yet". */
const TIME_LEFT =
  /\b(?:time|minutes|seconds|hours|timer|alarm) (?:is |are )?(?:left|remaining)\b|\bhow (?:much|many \w+)(?: \w+)* (?:left|remaining)\b|\b(?:time|timer|minutes|seconds) (?:is |are )?up\b|\bhow long (?:until|till|before|left)\b.*\b(?:alarm|timer|reminder)s?\b|\b(?:how long|how much time) is left\b/;
const NOUN_PHRASE_LIST = new RegExp(
  `^(?:my|any|upcoming|pending|next|all|today's|tomorrow's|todays|tomorrows|this week's|the)\\b[\\w' ]*\\b(?:${ITEMS}|plan)$|^${ITEMS}$|^(?:reminders|alarms|events|appointments|meetings|timers)\\b(?! to\\b)`,
);
const LOCAL_EVENTS = /\b(?:local|near|nearby|around here|in town|concerts?|festivals?|public)\b/;
/** Looking for things to do is a search, not a reminder ("help me find events for next weekend"). */
const EVENT_SEARCH =
  /\b(?:find|search|look(?:ing)? for|recommend|suggest|things to do|what's happening|whats happening|what is happening|happening in|going on in|near me|in my area|nearby|tickets|shows? (?:playing|in)|playing at)\b/;
/** A sentence about oneself or the world, not a request: "i'm reading a good book", "it's 5 already". */
const STATEMENT =
  /^(?:i|i'm|im|i am|i've|i was|i will|i'll|we|we're|we are|it|it's|its|there|this|that|he|she|they|you|my \w+ (?:is|was|are|has)|should|shall|can|could|would|will|how|why|who|what|when|where|which|is|are|do|does|did|if|whether)\b|\b(?:date|time|day) is it\b|\b(?:today'?s?|todays|the) date\b/;
/** Several events with no verb ask what there is ("friday events"), not to add one. */
const PLURAL_EVENTS = /\b(?:events|meetings|appointments|parties|classes|sessions)\b/;

const CREATE_STRONG =
  /\b(?:remind|reminder|reminders|reminded|alarms?|timers?|countdown|count down|stopwatch|wake me|wake up|wake (?:at|by|in)|get up|get me up|(?:need|have|got|want) to be up|alert me|notify|notification|ping me|nudge me|don't let me forget|do not let me forget|don't forget|(?:don't|dont|do not) want to forget|(?:can't|cannot|mustn't|must not|shouldn't) forget|(?:need|have) to remember|calendar|(?:set|create|add|make|new) (?:an? |my |the )?alerts?|send (?:an? |the )?(?:calendar )?(?:invite|invitation))\b|^(?:please )?(?:time (?:me|my \w+) for|set (?:the |my |a )?(?:\w+ )?time (?:for|to) \d)/;
const CREATE_VERB =
  /\b(?:set|add|create|make|book|put|plan|arrange|organi[sz]e|block(?: off| out)?|mark|flag|write down|note|jot down|save|enter|new|need|want|fix|schedule)\b/;
const EVENT_WORD =
  /\b(?:meetings?|appointments?|events?|entry|party|lunch|dinner|brunch|birthday|wedding|call|interview|conference|session|class|visit|holiday|vacation|trip|prayer|practice|standup|gym|marked)\b/;
/** Where a create request starts, to compare with where a cancel verb starts. */
const CREATE_AT =
  /\b(?:remind|reminder|alarm|timer|wake me|wake up|get up|alert me|notify|notification|ping me|nudge me|don't let me forget|do not let me forget|don't forget|set|add|create|make (?!sure)|schedule|book|put)\b/;
const CREATE_IMPERATIVE =
  /^(?:please |can you |could you |would you |will you |i want you to |i need you to )*(?:make a note|take a note|add|put|book|schedule|plan|create|write down|jot down|note down|note|mark|save|block off|block out|block|pencil in|reserve|hold)\b/;
const SET_IT = /\b(?:set|add|save|schedule|put|note|mark|book) (?:it|this|that)\b/;
const CREATE_SOFT =
  /\b(?:remember|text me|email me|e-mail me|message me|slack me|call me at|call me in|call me tomorrow|schedule (?:a|an|me|my|for|lunch|dinner|\w+ with))\b/;
/** "tell me", "let me know": a reminder only when a time comes with it ("tell me on tuesday to call jane"). */
const CREATE_TELL =
  /\b(?:tell me (?:on|at|in|to|tomorrow|tonight|when|about)|let me know (?:at|on|in|the|tomorrow|tonight|about|when))\b/;

/** The delivery channel the message asks for: "text me" → sms, "email me" → email. */
export function channelOf(s: string): Channel | undefined {
  if (
    /\b(?:text|sms|txt) me\b|\bsend me an? (?:text|sms)\b|\b(?:by|via|over|through|as an?) (?:text|sms)(?: message)?\b/.test(
      s,
    )
  )
    return "sms";
  if (/\be-?mail me\b|\bsend me an e-?mail\b|\b(?:by|via|over|through|in an) e-?mail\b/.test(s)) return "email";
  if (/\bslack me\b|\b(?:on|via|in|by|through|over) slack\b|\bdm me\b/.test(s)) return "slack";
  return undefined;
}

/** Someone other than the owner the task reaches: a channel or handle ("#ops", "@dana"). */
export function audienceOf(s: string): string | undefined {
  return /(?:^|\s)([#@][\w.-]+)/.exec(s)?.[1];
}

/** The IANA zone a timezone message names, or null. */
export function timezoneOf(s: string): string | null {
  for (const re of RE_TZ_NAME) {
    const m = re.exec(s);
    if (!m) continue;
    const z = zoneFromName(m[1]!);
    if (z) return z;
  }
  return null;
}

const firstIndex = (re: RegExp, s: string): number => {
  const m = re.exec(s);
  return m ? m.index : -1;
};

export interface IntentGuess {
  intent: Intent;
  /** How clearly a phrase family decided it (0..1). */
  strength: number;
  timezone?: string;
}

/**
 * The intent of a normalized message. `hasWhen` says whether the time grammar found a time, date or
 * recurrence: a bare event noun ("tuesday meeting noon") becomes a create only with one.
 */
export function classify(
  s: string,
  hasWhen: boolean,
  repeats = false,
  leadsWithTime = false,
  concrete = hasWhen,
): IntentGuess {
  const body = s.replace(
    /^(?:(?:olly|alexa|siri|hey siri|hey|hi|hello|ok google|okay google|google|ok|okay|so|um|uh|the|and)\s+)+/,
    "",
  );
  if (RE_HELP.test(body)) return { intent: "help", strength: 0.95 };
  const asksReminder = /\b(?:remind|reminder|alarm|timer)\b/.test(body) || CREATE_TELL.test(body);
  if (WEATHER.test(body) && !asksReminder && !channelOf(body)) return { intent: "other", strength: 0.8 };
  if (MESSAGE_TO.test(body) && !/\bremind me\b/.test(body)) return { intent: "other", strength: 0.75 };
  if (
    RE_TZ.test(body) ||
    /\bi(?:'m| am) (?:now |currently )?in\b|\bi (?:live|moved|relocated|have moved|just moved)\b|\btime$/.test(body)
  ) {
    const tz = timezoneOf(body);
    if (tz) return { intent: "timezone", strength: 0.9, timezone: tz };
    if (RE_TZ.test(body) && /\b(?:set|change|update|switch|my)\b/.test(body) && !/\?$/.test(body))
      return { intent: "timezone", strength: 0.5 };
  }
  // The one-word commands the replies themselves suggest ("say list to see them"), and "what's next?".
  if (/^(?:list|ls|reminders|my reminders|list all|show all)$/.test(body)) return { intent: "list", strength: 0.95 };
  if (
    /^(?:what's|whats|what is|what comes) (?:up )?next(?: (?:for me|on my (?:list|calendar|schedule|agenda)|today))?$/.test(
      body,
    )
  )
    return { intent: "list", strength: 0.85 };
  if (
    RE_SNOOZE.test(body) &&
    !/\b(?:without|no|option to|cannot|can't|named|called|labell?ed|titled)\b[\w' ]*\bsnooze\b/.test(body)
  )
    return { intent: "snooze", strength: 0.9 };
  if (RE_PAUSE.test(body)) return { intent: "pause", strength: 0.85 };
  if (RE_RESUME.test(body)) return { intent: "resume", strength: 0.85 };
  const shift = findShift(body);
  if (shift && (shift.explicit || !CREATE_BEFORE.test(body.slice(0, shift.verbAt))) && !SETTINGS.test(body))
    return { intent: "reschedule", strength: 0.85 };

  const createAt = Math.min(
    ...[CREATE_AT, CREATE_SOFT, CREATE_TELL].map((re) => firstIndex(re, body)).filter((i) => i >= 0),
    Infinity,
  );
  if (
    RE_CANCELLED.test(body) &&
    !/\b(?:when|if|before|after)\b/.test(body) &&
    !/^(?:please )?(?:remind|set|add|create|make|schedule|book|put|wake)\b/.test(body)
  )
    return { intent: "cancel", strength: 0.75 };
  const cancelAt = firstIndex(RE_CANCEL, body);
  if (cancelAt >= 0 && cancelAt <= createAt && !RE_CANCEL_MEDIA.test(body)) {
    const verb = RE_CANCEL.exec(body)![0];
    const aboutItems = ABOUT_ITEMS.test(body);
    const rest = body.slice(cancelAt + verb.length).trim();
    if (verb === "undo" || /^(?:stop|cancel|nevermind|never mind|forget it)$/.test(body))
      return { intent: "cancel", strength: 0.9 };
    if (
      /^(?:clear|stop|turn off|switch off|shut off|kill|drop|blank|make blank)$/.test(verb) &&
      !aboutItems &&
      !hasWhen
    )
      return { intent: "other", strength: 0.5 };
    if (aboutItems || hasWhen || rest.split(" ").length <= 4)
      return { intent: "cancel", strength: aboutItems ? 0.9 : 0.7 };
  }

  const imperativeCreate =
    /^(?:please |can you |could you |would you |will you |i want you to |i need you to )*(?:remind|set|add|create|make|put|book|schedule|wake|alert|notify|plan|arrange|block|mark|write|note|save)\b/.test(
      body,
    );
  if (!imperativeCreate) {
    const question = QUESTION_START.test(body) || /^(?:can|could) you (?:tell|show|list|check|read|give)\b/.test(body);
    if (
      question &&
      SCHEDULE_WORDS.test(body) &&
      !LOCAL_EVENTS.test(body) &&
      !/\b(?:when|whenever) (?:i|it)\b/.test(body)
    )
      return { intent: "list", strength: 0.85 };
    const secondCreate = /\b(?:and|then) (?:make|set|add|create|schedule|remind|put|book)\b/.test(body);
    if (
      LIST_VERB.test(body) &&
      !secondCreate &&
      !/\b(?:to|that) (?!do\b)\w+\b.*$/.test(body.replace(LIST_VERB, "")) &&
      !LOCAL_EVENTS.test(body)
    )
      return { intent: "list", strength: 0.8 };
    if (LIST_ITEMS.test(body)) return { intent: "list", strength: 0.8 };
    if ((SHOW_ONE.test(body) && !secondCreate) || TIME_LEFT.test(body)) return { intent: "list", strength: 0.75 };
    if (NOUN_PHRASE_LIST.test(body) && !LOCAL_EVENTS.test(body)) return { intent: "list", strength: 0.7 };
    // Only a polite request ("can you text me at 5") makes a question a create without a reminder word.
    const polite = /^(?:can|could|will|would) you\b/.test(body);
    if (
      question &&
      !CREATE_STRONG.test(body) &&
      !(polite && CREATE_SOFT.test(body)) &&
      !(hasWhen && CREATE_TELL.test(body))
    )
      return { intent: "other", strength: 0.8 };
  }

  if (
    RE_RESCHEDULE.test(body) &&
    hasWhen &&
    !SETTINGS.test(body) &&
    !/\b(?:remind|set|add|create|new)\b/.test(body.slice(0, firstIndex(RE_RESCHEDULE, body)))
  ) {
    return { intent: "reschedule", strength: 0.8 };
  }
  if (RE_EDIT_ITEM.test(body) && !SETTINGS.test(body)) return { intent: "reschedule", strength: 0.7 };

  const strong = CREATE_STRONG.test(body);
  if (strong) return { intent: "create", strength: 0.9 };
  // A command that repeats, or opens with its time ("tomorrow at 5 call the bank"), is a reminder to set.
  if (repeats || (leadsWithTime && body.split(" ").length > 2 && !LOCAL_EVENTS.test(body) && !OTHER_DOMAIN.test(body)))
    return { intent: "create", strength: repeats ? 0.8 : 0.75 };
  if (OTHER_DOMAIN.test(body) && !channelOf(body)) return { intent: "other", strength: 0.75 };
  if (CREATE_SOFT.test(body) || (hasWhen && CREATE_TELL.test(body))) return { intent: "create", strength: 0.8 };
  if ((CREATE_IMPERATIVE.test(body) || SET_IT.test(body)) && (hasWhen || EVENT_WORD.test(body)))
    return { intent: "create", strength: 0.75 };
  if (audienceOf(body) && hasWhen) return { intent: "create", strength: 0.75 };
  if (EVENT_SEARCH.test(body) && !CREATE_VERB.test(body)) return { intent: "other", strength: 0.7 };
  if (PLURAL_EVENTS.test(body) && !CREATE_VERB.test(body))
    return /\bmy\b/.test(body) ? { intent: "list", strength: 0.6 } : { intent: "other", strength: 0.6 };
  if (EVENT_WORD.test(body) && (CREATE_VERB.test(body) || hasWhen) && !LOCAL_EVENTS.test(body))
    return { intent: "create", strength: hasWhen && CREATE_VERB.test(body) ? 0.85 : 0.65 };
  // A thing and a time with no verb is a calendar entry ("coffee with sam friday at 1"), unless it is a
  // statement about oneself or the world ("i'm at work until 5").
  if (concrete && !OTHER_DOMAIN.test(body) && !STATEMENT.test(body) && !LOCAL_EVENTS.test(body))
    return { intent: "create", strength: 0.6 };
  return { intent: "other", strength: hasWhen || EVENT_WORD.test(body) ? 0.45 : 0.8 };
}
