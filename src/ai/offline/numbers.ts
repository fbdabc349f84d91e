/**
 * Spelled-out numbers → digits, so the time grammar only has to read digits.
 *
 * Speech transcripts spell everything out ("seven hundred and thirty am", "twenty second of january",
 * "one thousand three hundred"). Runs of number words become one digit token each; adjacent runs stay
 * separate tokens ("five thirty" → "5 30"), which the time grammar reads as a clock time.
 */

const UNITS: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const TENS: Record<string, number> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fourty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const ORDINAL_UNITS: Record<string, number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
  tenth: 10,
  eleventh: 11,
  twelfth: 12,
  twelveth: 12,
  thirteenth: 13,
  fourteenth: 14,
  fifteenth: 15,
  sixteenth: 16,
  seventeenth: 17,
  eighteenth: 18,
  nineteenth: 19,
};
const ORDINAL_TENS: Record<string, number> = { twentieth: 20, thirtieth: 30 };

/** Words after which a following "one" is a number rather than a pronoun ("at one", "for one hour"). */
const ONE_FOLLOWERS =
  /^(am|pm|o'clock|hundred|thousand|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|seconds?|secs?|more|time|a\.m\.|p\.m\.)$/;
const ONE_PRECEDERS = /^(at|by|until|till|til|around|about|before|after|from|to|and|for|in)$/;

/** "1st", "2nd", "3rd", "4th" … */
export function ordinalSuffix(n: number): string {
  const t = n % 100;
  if (t >= 11 && t <= 13) return `${n}th`;
  return `${n}${["th", "st", "nd", "rd"][n % 10] ?? "th"}`;
}

const isNumberWord = (w: string | undefined): boolean =>
  w !== undefined &&
  (w in UNITS || w in TENS || w in ORDINAL_UNITS || w in ORDINAL_TENS || w === "hundred" || w === "thousand");

interface Run {
  /** Tokens consumed. */
  length: number;
  text: string;
}

/** Reads "twenty", "twenty five", "twenty fifth", "fifteen", "fifteenth" at `i`: a value below 100. */
function readBelowHundred(w: string[], i: number): { value: number; ordinal: boolean; length: number } | null {
  const a = w[i];
  if (a === undefined) return null;
  if (a in TENS) {
    const b = w[i + 1];
    if (b !== undefined && b in UNITS && UNITS[b]! < 10 && UNITS[b]! > 0)
      return { value: TENS[a]! + UNITS[b]!, ordinal: false, length: 2 };
    if (b !== undefined && b in ORDINAL_UNITS && ORDINAL_UNITS[b]! < 10)
      return { value: TENS[a]! + ORDINAL_UNITS[b]!, ordinal: true, length: 2 };
    return { value: TENS[a]!, ordinal: false, length: 1 };
  }
  const hy = /^(\w+)-(\w+)$/.exec(a);
  if (hy && hy[1]! in TENS) {
    const u = hy[2]!;
    if (u in UNITS) return { value: TENS[hy[1]!]! + UNITS[u]!, ordinal: false, length: 1 };
    if (u in ORDINAL_UNITS) return { value: TENS[hy[1]!]! + ORDINAL_UNITS[u]!, ordinal: true, length: 1 };
  }
  if (a in UNITS) return { value: UNITS[a]!, ordinal: false, length: 1 };
  if (a in ORDINAL_UNITS) return { value: ORDINAL_UNITS[a]!, ordinal: true, length: 1 };
  if (a in ORDINAL_TENS) return { value: ORDINAL_TENS[a]!, ordinal: true, length: 1 };
  if (/^\d{1,2}$/.test(a)) return { value: Number(a), ordinal: false, length: 1 };
  return null;
}

/** Reads one cardinal or ordinal number phrase at `i`, with "hundred", "thousand" and "and". */
function readNumber(w: string[], i: number): Run | null {
  const first = readBelowHundred(w, i);
  if (!first) return null;
  let value = first.value;
  let j = i + first.length;
  if (first.ordinal) return { length: j - i, text: ordinalSuffix(value) };
  const andThen = (k: number): number => (w[k] === "and" && isNumberWord(w[k + 1]) ? k + 1 : k);
  if (w[j] === "thousand") {
    value *= 1000;
    j = andThen(j + 1);
    const h = readBelowHundred(w, j);
    if (h && !h.ordinal && w[j + h.length] === "hundred") {
      value += h.value * 100;
      j = andThen(j + h.length + 1);
    }
    const rest = readBelowHundred(w, j);
    if (rest && !rest.ordinal && j > i + 1) {
      value += rest.value;
      j += rest.length;
    }
    return { length: j - i, text: String(value) };
  }
  if (w[j] === "hundred") {
    value *= 100;
    j = andThen(j + 1);
    const rest = readBelowHundred(w, j);
    if (rest && !rest.ordinal) {
      value += rest.value;
      j += rest.length;
    } else if (w[j] === "oh" && w[j + 1] !== undefined && (UNITS[w[j + 1]!] ?? 10) < 10) {
      value += UNITS[w[j + 1]!]!;
      j += 2;
    }
    return { length: j - i, text: String(value) };
  }
  return { length: j - i, text: String(value) };
}

/**
 * Replaces spelled-out numbers in a lower-cased, space-separated text with digits.
 * "seven hundred and thirty am" → "730 am", "five thirty" → "5 30", "twenty second of january" → "22nd of january",
 * "eight oh five" → "8 05". "one" stays a word where it is a pronoun ("the daily one").
 */
export function digitize(text: string): string {
  const w = text.split(" ").filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < w.length; ) {
    const word = w[i]!;
    if (!isNumberWord(word) && !/^\w+-\w+$/.test(word)) {
      out.push(word);
      i++;
      continue;
    }
    if (
      word === "one" &&
      !isNumberWord(w[i + 1]) &&
      !ONE_FOLLOWERS.test(w[i + 1] ?? "") &&
      !ONE_PRECEDERS.test(w[i - 1] ?? "")
    ) {
      out.push(word);
      i++;
      continue;
    }
    // "second" is mostly the ordinal, but not as a unit ("a second", "one second", "10 second countdown").
    if (word === "second" && (/^(a|one|1|per)$/.test(w[i - 1] ?? "") || /^\d+$/.test(w[i - 1] ?? ""))) {
      out.push(word);
      i++;
      continue;
    }
    if (word === "hundred" || word === "thousand") {
      out.push(word);
      i++;
      continue;
    }
    const run = readNumber(w, i);
    if (!run) {
      out.push(word);
      i++;
      continue;
    }
    out.push(run.text);
    i += run.length;
    // "eight oh five": a clock time read digit by digit.
    if (w[i] === "oh" && /^\d{1,2}$/.test(run.text) && w[i + 1] !== undefined && (UNITS[w[i + 1]!] ?? 10) < 10) {
      out.push(`0${UNITS[w[i + 1]!]}`);
      i += 2;
    }
  }
  return out.join(" ");
}

/** The value of a small spelled or digit number ("a", "an", "two", "15", "a couple of"), or null. */
export function smallNumber(word: string): number | null {
  if (/^\d+(\.\d+)?$/.test(word)) return Number(word);
  if (word === "a" || word === "an" || word === "one") return 1;
  if (word === "couple" || word === "a couple of" || word === "couple of") return 2;
  if (word === "few" || word === "a few") return 3;
  if (word in UNITS) return UNITS[word]!;
  if (word in TENS) return TENS[word]!;
  return null;
}
