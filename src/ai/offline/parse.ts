import type { InterpretContext, Issue } from "../types.js";
import { extractImpossible } from "./issues.js";
import { normalize } from "./normalize.js";
import { extractRecurrence, type Recur } from "./recurrence.js";
import type { Hints } from "./resolve.js";
import { Claims } from "./scan.js";
import { extractWhen, type When } from "./times.js";
import { extractZone } from "./zones.js";

/** One message read by every grammar: what each found, and which words they accounted for. */
export interface Parsed {
  /** The message as the user typed it. */
  original: string;
  /** The normalized message (see normalize.ts) that every grammar reads. */
  s: string;
  claims: Claims;
  rec: Recur | null;
  when: When;
  hints: Hints;
  /** The zone the request named for itself ("5pm pacific"), if any. */
  zone?: string;
  /** The context to resolve times in: the user's, or the named zone's. */
  ctx: InterpretContext;
  /** Impossible dates and times found in the message. */
  issues: Issue[];
}

/**
 * Runs the grammars over a message in the order that keeps them from reading each other's words: a
 * zone named after a clock, impossible dates and times, then recurrence ("every monday") before plain
 * times and dates ("monday").
 */
export function parse(text: string, ctx: InterpretContext): Parsed {
  const s = normalize(text);
  const claims = new Claims(s);
  const zone = extractZone(claims);
  const zctx = zone ? { now: ctx.now, tz: zone } : ctx;
  const issues = extractImpossible(claims, zctx);
  const rec = extractRecurrence(claims);
  const when = extractWhen(claims, ctx.now, zctx.tz);
  const hints = {
    wake: /\b(?:wake|waking|get up|get me up|wakeup|be up|morning alarm)\b/.test(s),
    evening: /\b(?:dinner|supper|tonight)\b/.test(s),
  };
  const out: Parsed = { original: text, s, claims, rec, when, hints, ctx: zctx, issues };
  if (zone) out.zone = zone;
  return out;
}

/** True when the grammars found any time, date, recurrence or impossible time in the message. */
export const hasWhen = (p: Parsed): boolean =>
  Boolean(
    p.rec ||
      p.issues.length ||
      p.when.clocks.length ||
      p.when.dates.length ||
      p.when.dayParts.length ||
      p.when.offset ||
      p.when.vague ||
      p.when.anchored ||
      p.when.trigger,
  );
