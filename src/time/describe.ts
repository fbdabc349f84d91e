import { DateTime } from "luxon";
/**
 * A recurrence rule in words, whole: every part of the rule that changes when it fires is said, so a
 * confirmation can be checked against what the user asked ("every weekday at 8:00 AM", "every hour from
 * 9:00 AM to 5:00 PM", "on the last Friday of every month at 5:00 PM, 3 times"). rrule's own toText drops
 * times, windows and counts, which is how a reply ends up confirming something false.
 */

const DAY_NAMES: Record<string, string> = {
  MO: "Monday",
  TU: "Tuesday",
  WE: "Wednesday",
  TH: "Thursday",
  FR: "Friday",
  SA: "Saturday",
  SU: "Sunday",
};
const WEEK = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const ORDINAL_WORD: Record<string, string> = { "1": "first", "2": "second", "3": "third", "4": "fourth", "-1": "last" };

/** The parts of an RRULE body, by name (FREQ=DAILY;BYHOUR=9 → { FREQ: "DAILY", BYHOUR: "9" }). */
export function rruleParts(rrule: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of rrule.replace(/^RRULE:/i, "").split(";")) {
    const [k, v] = part.split("=");
    if (k && v !== undefined) out[k.toUpperCase()] = v;
  }
  return out;
}

/** Parts back into an RRULE body, in a stable order. */
export function rruleOf(parts: Record<string, string | undefined>): string {
  const order = ["FREQ", "INTERVAL", "BYMONTH", "BYMONTHDAY", "BYDAY", "BYSETPOS", "BYHOUR", "BYMINUTE", "BYSECOND"];
  const keys = [
    ...order.filter((k) => parts[k] !== undefined),
    ...Object.keys(parts).filter((k) => !order.includes(k)),
  ];
  return keys
    .filter((k) => parts[k] !== undefined && parts[k] !== "")
    .map((k) => `${k}=${parts[k]}`)
    .join(";");
}

const ordinal = (n: number) => {
  const s = ["th", "st", "nd", "rd"];
  const v = n % 100;
  return `${n}${s[(v - 20) % 10] ?? s[v] ?? s[0]}`;
};

/** "9:00 AM", "12:30 PM". */
export function clockText(hour: number, minute: number): string {
  const h = hour % 12 === 0 ? 12 : hour % 12;
  return `${h}:${String(minute).padStart(2, "0")} ${hour < 12 ? "AM" : "PM"}`;
}

/** "a, b and c". */
export function andList(items: string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

const nums = (v: string | undefined) => (v ? v.split(",").map(Number) : []);

/** "Monday to Friday" style runs for a weekday set: "weekdays", "weekends", "Monday, Wednesday and Friday". */
function daysText(byday: string[]): { text: string; plural: boolean } {
  const set = WEEK.filter((d) => byday.includes(d));
  if (set.length === 7) return { text: "day", plural: false };
  if (set.join() === "MO,TU,WE,TH,FR") return { text: "weekday", plural: false };
  if (set.join() === "SA,SU") return { text: "weekend day", plural: false };
  return { text: andList(set.map((d) => DAY_NAMES[d]!)), plural: true };
}

/** Every wall time of day the rule fires at, in order ([hour, minute]), or null when it has none (hourly). */
function slots(p: Record<string, string>): [number, number][] | null {
  const hours = nums(p.BYHOUR);
  if (!hours.length) return null;
  const interval = Number(p.INTERVAL ?? 1);
  const minutes = nums(p.BYMINUTE);
  const perHour =
    minutes.length > 0
      ? minutes
      : p.FREQ === "MINUTELY"
        ? Array.from({ length: Math.ceil(60 / interval) }, (_, i) => i * interval)
        : [0];
  let all = hours.flatMap((h) => perHour.map((m) => [h, m] as [number, number]));
  all.sort((a, b) => a[0] * 60 + a[1] - (b[0] * 60 + b[1]));
  const pos = nums(p.BYSETPOS);
  if (pos.length) all = pos.map((i) => all[i > 0 ? i - 1 : all.length + i]).filter((x): x is [number, number] => !!x);
  return all;
}

/** "every 30 minutes from 2:00 PM to 4:00 PM", or "at 9:00 AM and 9:00 PM", or "" when the rule has no times. */
function timesText(times: [number, number][] | null): string {
  if (!times?.length) return "";
  const at = times.map(([h, m]) => h * 60 + m);
  const step = at.length > 2 ? at[1]! - at[0]! : 0;
  if (step > 0 && at.every((t, i) => i === 0 || t - at[i - 1]! === step)) {
    const unit = step % 60 === 0 ? (step === 60 ? "hour" : `${step / 60} hours`) : `${step} minutes`;
    const first = times[0]!;
    const last = times.at(-1)!;
    return `every ${unit} from ${clockText(first[0], first[1])} to ${clockText(last[0], last[1])}`;
  }
  return `at ${andList(times.map(([h, m]) => clockText(h, m)))}`;
}

/** The rule's days and its times joined: "every weekday at 8:00 AM", "every 30 minutes from … on weekdays". */
function daysAndTimes(days: string, times: [number, number][] | null, onDays: string | null): string {
  const t = timesText(times);
  if (t.startsWith("every ")) return onDays ? `${t} ${onDays}` : t;
  return t ? `${days} ${t}` : days;
}

/**
 * The rule in words. `dtstart` and `tz`, when given, name the first day of rules whose start matters
 * (every other week). Falls back to the rule itself for parts it cannot say.
 */
export function describeRule(rrule: string): string {
  const p = rruleParts(rrule);
  const interval = Number(p.INTERVAL ?? 1);
  const every = interval === 1 ? "every" : interval === 2 ? "every other" : `every ${interval}`;
  const byday = (p.BYDAY ?? "").split(",").filter(Boolean);
  const nth = byday.map((d) => /^([+-]?\d)([A-Z]{2})$/.exec(d)).filter(Boolean) as RegExpExecArray[];
  const times = slots(p);
  const onWeekdays = () => {
    if (!byday.length) return null;
    const d = daysText(byday);
    return d.text === "day" ? null : `on ${d.plural ? d.text : `${d.text}s`}`;
  };
  let text: string;
  switch (p.FREQ) {
    case "MINUTELY":
    case "HOURLY": {
      const unit = p.FREQ === "MINUTELY" ? "minute" : "hour";
      const plain = interval === 1 ? `every ${unit}` : `every ${interval} ${unit}s`;
      const minutes = nums(p.BYMINUTE);
      if (times) text = timesText(times).startsWith("every ") ? timesText(times) : `${plain} ${timesText(times)}`;
      else
        text = minutes.length
          ? `${plain} at ${andList(minutes.map((m) => `:${String(m).padStart(2, "0")}`))} past`
          : plain;
      const on = onWeekdays();
      if (on) text += ` ${on}`;
      break;
    }
    case "DAILY": {
      const on = onWeekdays();
      const days = on ? `every ${daysText(byday).text}` : `${every} ${interval > 2 ? "days" : "day"}`;
      text = daysAndTimes(days, times, on);
      break;
    }
    case "WEEKLY": {
      const d = byday.length ? daysText(byday) : null;
      const days =
        interval === 1
          ? `every ${d ? d.text : "week"}`
          : d && byday.length === 1 && interval === 2
            ? `every other ${DAY_NAMES[byday[0]!]}`
            : d
              ? `${every} week on ${d.plural ? d.text : `${d.text}s`}`
              : `${every} weeks`;
      text = daysAndTimes(days, times, onWeekdays());
      break;
    }
    case "MONTHLY": {
      const month = interval === 1 ? "every month" : interval === 2 ? "every other month" : `every ${interval} months`;
      let days = month;
      if (nth.length) {
        const which = nth.map(
          (m) => `${ORDINAL_WORD[m[1]!.replace("+", "")] ?? ordinal(Number(m[1]))} ${DAY_NAMES[m[2]!]}`,
        );
        days = `on the ${andList(which)} of ${month}`;
      } else if (p.BYMONTHDAY) {
        const which = nums(p.BYMONTHDAY).map((d) => (d === -1 ? "last day" : ordinal(d)));
        days = `on the ${andList(which)} of ${month}`;
      }
      text = daysAndTimes(days, times, days === month ? null : days);
      break;
    }
    case "YEARLY": {
      const months = nums(p.BYMONTH).map((m) => MONTHS[m - 1]!);
      const monthDays = nums(p.BYMONTHDAY);
      const days =
        months.length && monthDays.length
          ? `every year on ${andList(months)} ${andList(monthDays.map(ordinal))}`
          : interval === 1
            ? "every year"
            : `every ${interval} years`;
      text = daysAndTimes(days, times, days);
      break;
    }
    default:
      return rrule;
  }
  if (p.COUNT) text += `, ${p.COUNT} ${p.COUNT === "1" ? "time" : "times"}`;
  if (p.UNTIL) {
    const m = /^(\d{4})(\d{2})(\d{2})/.exec(p.UNTIL);
    if (m) text += ` until ${MONTHS[Number(m[2]) - 1]} ${Number(m[3])}, ${m[1]}`;
  }
  return text;
}

/**
 * A task's schedule as an operator reads it beside the RRULE: the rule in words and its zone ("every
 * weekday at 8:00 AM America/New_York"). A rule without BYHOUR fires at its start's wall time, which is
 * said too.
 */
export function describeSchedule(rrule: string, tz: string, dtstart?: Date | null): string {
  const parts = rruleParts(rrule);
  if (dtstart && !parts.BYHOUR && ["DAILY", "WEEKLY", "MONTHLY", "YEARLY"].includes(parts.FREQ ?? "")) {
    const wall = DateTime.fromJSDate(dtstart, { zone: tz });
    return `${describeRule(rruleOf({ ...parts, BYHOUR: String(wall.hour), BYMINUTE: String(wall.minute) }))} ${tz}`;
  }
  return `${describeRule(rrule)} ${tz}`;
}
