import { digitize } from "./numbers.js";

/**
 * One normalized form of the message that every grammar reads: lower case, single spaces, no sentence
 * punctuation, common misspellings and speech-to-text splits repaired, numbers as digits.
 */
export function normalize(text: string): string {
  let s = ` ${text.toLowerCase()} `
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .replace(/[\u201c\u201d"]/g, " ")
    .replace(/\b(a|p)\. ?m\b\.?/g, "$1m")
    // "9.30 am", "7. 30am", "at 6. 30" (a transcript's tokens): a clock time, not a decimal.
    .replace(/\b(\d{1,2})\. ?(\d{2})(?=\s*(?:am|pm)\b)/g, "$1:$2")
    .replace(/\b(\d{1,2})\. (\d{2})\b/g, "$1:$2")
    .replace(/\b(at|by|for|until|till|from) (\d{1,2})\.(\d{2})\b/g, "$1 $2:$3")
    .replace(/(\d)\s*(am|pm)\b/g, "$1 $2")
    .replace(/\b(\d{1,2}) \/ (\d{1,2})\b/g, "$1/$2")
    .replace(/(\d)(st|nd|rd|th)\b/g, "$1$2")
    .replace(/(\d)(mins?|minutes?|hrs?|hours?|h|m|days?|d|weeks?|wks?|w)\b/g, "$1 $2")
    .replace(/[,;!?()[\]{}]+/g, " ")
    .replace(/:(?!\d)|(?<!\d):/g, " ")
    .replace(/\.(?=\s|$)/g, " ")
    .replace(/\s+-\s+/g, " to ");
  s = s
    .replace(/\bo\s?clock\b|\bo'\s?clock\b|\boclock\b/g, "o'clock")
    .replace(/\bevery ?day\b/g, "every day")
    .replace(/\bup ?coming\b/g, "upcoming")
    .replace(/\bwake-?up\b/g, "wake up")
    .replace(/\b(tmrw|tmr|tmrow|tomorow|tommorow|tommorrow|2morrow)\b/g, "tomorrow")
    .replace(/\b(tonite|2nite)\b/g, "tonight")
    .replace(/\bto-?day\b/g, "today")
    .replace(/\bremainders?\b/g, (m) => m.replace("remainder", "reminder"))
    .replace(/\bremaind\b/g, "remind")
    .replace(/\bmeting\b/g, "meeting")
    .replace(/\barvo\b/g, "afternoon")
    .replace(/\b(?:mintues|mintutes|minuts|minites|minuets|mnutes)\b/g, "minutes")
    .replace(/\bcount down\b/g, "countdown")
    .replace(/\b(?:during|in) (?:work|working|business|office) hours\b/g, "between 9 am and 5 pm")
    .replace(/\bbi ?weekly\b/g, "biweekly")
    .replace(/\bappt\b/g, "appointment")
    .replace(/\bweek ?days\b/g, "weekdays")
    .replace(/\bweek ?ends\b/g, "weekends")
    .replace(/\bmid-?night\b/g, "midnight")
    .replace(/\bmid-?day\b/g, "midday")
    .replace(/\bhalf an? hour\b/g, "30 minutes")
    .replace(/\ba half hour\b/g, "30 minutes")
    .replace(/\bhalf hour\b/g, "30 minutes")
    .replace(/\ba quarter of an hour\b|\ba quarter hour\b|\bquarter of an hour\b/g, "15 minutes");
  return digitize(s.replace(/\s+/g, " ").trim());
}
