import { isValidTimeZone } from "../../time/index.js";

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
