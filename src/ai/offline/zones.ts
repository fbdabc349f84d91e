import { isValidTimeZone } from "../../time/index.js";
import { B, rx, type Claims } from "./scan.js";

/** Names people use for zones, beyond IANA ids and their cities. */
const COMMON: Record<string, string> = {
  pacific: "America/Los_Angeles",
  pst: "America/Los_Angeles",
  pdt: "America/Los_Angeles",
  pt: "America/Los_Angeles",
  "west coast": "America/Los_Angeles",
  california: "America/Los_Angeles",
  seattle: "America/Los_Angeles",
  "san francisco": "America/Los_Angeles",
  mountain: "America/Denver",
  mst: "America/Denver",
  mdt: "America/Denver",
  arizona: "America/Phoenix",
  central: "America/Chicago",
  cst: "America/Chicago",
  cdt: "America/Chicago",
  texas: "America/Chicago",
  dallas: "America/Chicago",
  houston: "America/Chicago",
  eastern: "America/New_York",
  est: "America/New_York",
  edt: "America/New_York",
  et: "America/New_York",
  ct: "America/Chicago",
  mt: "America/Denver",
  "east coast": "America/New_York",
  boston: "America/New_York",
  miami: "America/New_York",
  washington: "America/New_York",
  atlanta: "America/New_York",
  alaska: "America/Anchorage",
  akst: "America/Anchorage",
  hawaii: "Pacific/Honolulu",
  hst: "Pacific/Honolulu",
  atlantic: "America/Halifax",
  newfoundland: "America/St_Johns",
  utc: "UTC",
  gmt: "Europe/London",
  uk: "Europe/London",
  britain: "Europe/London",
  england: "Europe/London",
  bst: "Europe/London",
  ireland: "Europe/Dublin",
  cet: "Europe/Berlin",
  cest: "Europe/Berlin",
  "central european": "Europe/Berlin",
  germany: "Europe/Berlin",
  france: "Europe/Paris",
  spain: "Europe/Madrid",
  italy: "Europe/Rome",
  netherlands: "Europe/Amsterdam",
  eet: "Europe/Athens",
  india: "Asia/Kolkata",
  ist: "Asia/Kolkata",
  mumbai: "Asia/Kolkata",
  delhi: "Asia/Kolkata",
  bangalore: "Asia/Kolkata",
  japan: "Asia/Tokyo",
  jst: "Asia/Tokyo",
  china: "Asia/Shanghai",
  beijing: "Asia/Shanghai",
  korea: "Asia/Seoul",
  sydney: "Australia/Sydney",
  aest: "Australia/Sydney",
  melbourne: "Australia/Melbourne",
  "new zealand": "Pacific/Auckland",
  brazil: "America/Sao_Paulo",
  mexico: "America/Mexico_City",
  "new york": "America/New_York",
  nyc: "America/New_York",
  "los angeles": "America/Los_Angeles",
  la: "America/Los_Angeles",
  chicago: "America/Chicago",
  denver: "America/Denver",
};

let cities: Map<string, string> | null = null;

/** City → zone for every IANA zone this runtime knows ("berlin" → Europe/Berlin, "new york" → America/New_York). */
function cityIndex(): Map<string, string> {
  if (cities) return cities;
  cities = new Map();
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  for (const id of intl.supportedValuesOf?.("timeZone") ?? []) {
    cities.set(id.toLowerCase(), id);
    const city = id.split("/").pop()!.replace(/_/g, " ").toLowerCase();
    if (!cities.has(city)) cities.set(city, id);
  }
  return cities;
}

/**
 * The IANA zone a name means: an IANA id in any case ("europe/berlin"), a common name or abbreviation
 * ("pacific time", "CET"), or a city ("berlin"). Null when nothing matches.
 */
export function zoneFromName(name: string): string | null {
  const n = name
    .toLowerCase()
    .trim()
    .replace(/^(the|to|in|on)\s+/, "")
    .replace(/\s+(time ?zone|time|standard time|daylight time|zone|please|now|area)$/g, "")
    .replace(/\s+(time ?zone|time|standard time|daylight time|zone)$/g, "")
    .trim();
  if (!n) return null;
  if (n.includes("/")) {
    const id = cityIndex().get(n);
    if (id) return id;
    return isValidTimeZone(n) ? n : null;
  }
  return COMMON[n] ?? cityIndex().get(n) ?? null;
}

/** Zone names that mean little else, read right after a clock time ("at 9am pacific stretch"). */
const PLAIN = "pacific|eastern|pst|pdt|est|edt|cst|cdt|mst|mdt|akst|hst|cet|cest|eet|jst|aest";
/** Zone words with other meanings: only a zone at the end of the time ("at 5 central", not "9 central park"). */
const NAMED = "central|mountain|atlantic|alaska|hawaii|pt|et|ct|mt|bst|ist";
/** What may follow a bare zone word: the end, or a word that starts the next part of the request. */
const ZONE_END =
  "(?=$| (?:to|on|tomorrow|today|tonight|every|each|and|for|please|remind|i|about|that|this|next|from|until|so|in the|daily|weekly)\\b)";
const IANA = "[a-z]+/[a-z_]+(?:/[a-z_]+)?";
const OFFSET_ZONE = "(?:utc|gmt)(?: ?[+-] ?\\d{1,2})?";
const AFTER_CLOCK = "(?<=(?:\\d|\\bam|\\bpm|\\bnoon|\\bmidnight|o'clock) )";
const ZONE_WORDS = "(?: time(?: ?zone)?| standard time| daylight time)?";
const RE_ZONE = rx(
  `${AFTER_CLOCK}(?:in )?(?:(${PLAIN})${ZONE_WORDS}(?![\\w'])|(${NAMED})${ZONE_WORDS}${ZONE_END})` +
    `|${B}(?:in )?(${IANA})(?![\\w/])` +
    `|${B}(?:in )?(${OFFSET_ZONE})(?: time)?(?![\\w+-])` +
    `|${B}(?:in )?([a-z]+(?: [a-z]+)?) time(?: ?zone)?(?![\\w'])`,
);

/** "utc+2", "gmt-5" → Etc/GMT-2, Etc/GMT+5 (POSIX signs are reversed); plain "utc" → UTC. */
function offsetZone(word: string): string | null {
  const m = /^(utc|gmt)(?: ?([+-]) ?(\d{1,2}))?$/.exec(word);
  if (!m) return null;
  if (!m[2]) return m[1] === "utc" ? "UTC" : "Europe/London";
  const h = Number(m[3]);
  if (h === 0) return "UTC";
  return h <= 14 ? `Etc/GMT${m[2] === "+" ? "-" : "+"}${h}` : null;
}

/**
 * The zone of "<place> time": a common name, or a city of a continental zone. Cities of the islands and
 * research stations collide with words people put before "time" ("christmas time", "wake time").
 */
function cityTime(name: string): string | null {
  const common = COMMON[name];
  if (common) return common;
  const z = name === "jersey" ? null : cityIndex().get(name);
  return z && /^(?:Europe|America|Asia|Africa|Australia)\/[A-Za-z_]+$/.test(z) ? z : null;
}

/**
 * The zone a request names for its own time ("at 5pm pacific", "5pm PT", "9am Berlin time", "17:00 UTC",
 * "9am Europe/Paris"), claiming the words so they never reach the task text. Undefined when none is named.
 */
export function extractZone(c: Claims): string | undefined {
  let zone: string | undefined;
  c.scan(RE_ZONE, (m) => {
    if (zone) return false;
    const name = m[1] ?? m[2] ?? m[3];
    const z = name ? zoneFromName(name) : m[4] ? offsetZone(m[4]) : cityTime(m[5]!);
    if (!z) return false;
    zone = z;
    return true;
  });
  return zone;
}
