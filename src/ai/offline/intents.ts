import type { Channel, Intent } from "../types.js";
import { findShift } from "./edit-words.js";
import { zoneFromName } from "./zones.js";
import {
  ABOUT_ITEMS,
  CREATE_AT,
  CREATE_BEFORE,
  CREATE_IMPERATIVE,
  CREATE_SOFT,
  CREATE_STRONG,
  CREATE_TELL,
  CREATE_VERB,
  EVENT_SEARCH,
  EVENT_WORD,
  LIST_ITEMS,
  LIST_VERB,
  LOCAL_EVENTS,
  MESSAGE_TO,
  NOUN_PHRASE_LIST,
  OTHER_DOMAIN,
  PLURAL_EVENTS,
  QUESTION_START,
  RE_CANCEL,
  RE_CANCELLED,
  RE_CANCEL_MEDIA,
  RE_EDIT_ITEM,
  RE_HELP,
  RE_PAUSE,
  RE_RESCHEDULE,
  RE_RESUME,
  RE_SNOOZE,
  RE_TZ,
  RE_TZ_NAME,
  SCHEDULE_WORDS,
  SETTINGS,
  SET_IT,
  SHOW_ONE,
  STATEMENT,
  TIME_LEFT,
  WEATHER,
} from "./families.js";

/**
 * Intent rules over the normalized message. Each intent has a few phrase families; when families of
 * different intents match, the one said first wins ("remind me to cancel the gym" is a create,
 * "cancel my reminder to call mom" a cancel), and questions about one's own schedule are lists.
 */

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
  // "cancel the umbrella one": a verb that acts on a stored item speaks of a reminder, whatever its words.
  const actsOnOne =
    /^(?:please )?(?:cancel|delete|remove|move|skip|snooze|pause|resume|change|push|reschedule)\b/.test(body) &&
    /\b(?:one|ones|it|that)\b/.test(body);
  const asksReminder = /\b(?:remind|reminder|alarm|timer)\b/.test(body) || CREATE_TELL.test(body) || actsOnOne;
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
