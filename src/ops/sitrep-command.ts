import { parseWindow, type SitrepWindow } from "./sitrep.js";

/**
 * Parsing of `/sitrep …` (pure): a report, a subscription with its schedule as an RRULE, or an unsubscribe.
 */
export type SitrepCommand =
  | { kind: "report"; window: SitrepWindow }
  | { kind: "subscribe"; rrule: string; label: string; window: SitrepWindow }
  | { kind: "unsubscribe" }
  | { kind: "help"; error?: string };

/** A sitrep subscription is a task of this kind (tasks.kind), with its window in tasks.params. */
export const SITREP_KIND = "sitrep";

export const SITREP_USAGE = [
  "`/sitrep` (last 24h), `/sitrep 1h`, `/sitrep 7d`",
  "`/sitrep subscribe daily 9am` · `/sitrep subscribe weekly monday 9:30` · `/sitrep subscribe every 6 hours`",
  "`/sitrep unsubscribe`",
].join("\n");

const DAYS: Record<string, string> = { mon: "MO", tue: "TU", wed: "WE", thu: "TH", fri: "FR", sat: "SA", sun: "SU" };
const DAY_NAMES: Record<string, string> = {
  MO: "Monday",
  TU: "Tuesday",
  WE: "Wednesday",
  TH: "Thursday",
  FR: "Friday",
  SA: "Saturday",
  SU: "Sunday",
};

/** "9am", "9:30", "17:00", "5pm" → [hour, minute], or null. */
export function parseClock(s: string): [number, number] | null {
  const m = /^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$/i.exec(s.trim());
  if (!m) return null;
  let h = Number(m[1]);
  const min = m[2] ? Number(m[2]) : 0;
  const ampm = m[3]?.toLowerCase();
  if (min > 59 || (ampm && (h < 1 || h > 12)) || h > 23) return null;
  if (ampm === "pm" && h !== 12) h += 12;
  if (ampm === "am" && h === 12) h = 0;
  return [h, min];
}

const clockLabel = ([h, m]: [number, number]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;

/** Parses the text after `/sitrep`. */
export function parseSitrepCommand(text: string): SitrepCommand {
  const words = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { kind: "report", window: "24h" };
  const [first, ...rest] = words;
  if (words.length === 1 && parseWindow(first)) return { kind: "report", window: parseWindow(first)! };
  if (first === "help") return { kind: "help" };
  if (first === "unsubscribe" || first === "stop") return { kind: "unsubscribe" };
  if (first !== "subscribe") return { kind: "help", error: `I don't know "/sitrep ${text.trim()}".` };

  const explicit = rest.map((w) => parseWindow(w)).find(Boolean) ?? null;
  const spec = rest.filter((w) => !parseWindow(w) && w !== "at" && w !== "on");
  const kind = spec[0] ?? "daily";
  if (kind === "daily") {
    const clock = spec[1] ? parseClock(spec[1]) : ([9, 0] as [number, number]);
    if (!clock) return { kind: "help", error: `"${spec[1]}" is not a time; try 9am or 17:30.` };
    return {
      kind: "subscribe",
      rrule: `FREQ=DAILY;BYHOUR=${clock[0]};BYMINUTE=${clock[1]};BYSECOND=0`,
      label: `daily at ${clockLabel(clock)}`,
      window: explicit ?? "24h",
    };
  }
  if (kind === "weekly") {
    const dayWord = spec.slice(1).find((w) => DAYS[w.slice(0, 3)] && !parseClock(w));
    const day = dayWord ? DAYS[dayWord.slice(0, 3)]! : "MO";
    const clockWord = spec.slice(1).find((w) => w !== dayWord);
    const clock = clockWord ? parseClock(clockWord) : ([9, 0] as [number, number]);
    if (!clock) return { kind: "help", error: `"${clockWord}" is not a time; try 9am or 17:30.` };
    return {
      kind: "subscribe",
      rrule: `FREQ=WEEKLY;BYDAY=${day};BYHOUR=${clock[0]};BYMINUTE=${clock[1]};BYSECOND=0`,
      label: `weekly on ${DAY_NAMES[day]} at ${clockLabel(clock)}`,
      window: explicit ?? "7d",
    };
  }
  if (kind === "hourly" || kind === "every") {
    const n = kind === "hourly" ? 1 : Number(spec[1]);
    const unit = kind === "hourly" ? "hours" : (spec[2] ?? "");
    if (!Number.isInteger(n) || n < 1 || n > 168 || !/^(hours?|h)$/.test(unit)) {
      return { kind: "help", error: "Say `every N hours`, with N from 1 to 168." };
    }
    return {
      kind: "subscribe",
      rrule: `FREQ=HOURLY;INTERVAL=${n}`,
      label: n === 1 ? "every hour" : `every ${n} hours`,
      window: explicit ?? (n === 1 ? "1h" : "24h"),
    };
  }
  return { kind: "help", error: `"${kind}" is not a schedule: use daily, weekly or every N hours.` };
}

/** The params stored on a subscription task. */
export const sitrepParams = (window: SitrepWindow) => ({ window });

/** The window a subscription task asks for (24h when unreadable). */
export function windowOfParams(params: unknown): SitrepWindow {
  return parseWindow((params as { window?: string } | null)?.window) ?? "24h";
}
