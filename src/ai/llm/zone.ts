import { isValidTimeZone } from "../../time/index.js";
import type { InterpretContext, OfflineFn } from "../types.js";
import type { Read } from "./calendar.js";
import type { ZoneFields } from "./extraction.js";

/**
 * The IANA zone the model says a message names. The model's id is used when it is an Area/Location id
 * (or UTC) this runtime knows. Abbreviations are refused as ids even though "EST" and "MST" are IANA names:
 * those are fixed offsets, and "5pm EST" in July means New York's 5pm, so the words go to the offline
 * grammar's zone names instead ("pacific", "PT", "Berlin time"). Nothing known: an issue, so the
 * conversation asks rather than scheduling in the wrong zone.
 */
export function resolveZone(z: ZoneFields, ctx: InterpretContext, offline: OfflineFn): Read<string> {
  const id = z.iana?.trim() ?? "";
  if (/^(?:utc|gmt|etc\/utc|z)$/i.test(id)) return { value: "UTC" };
  if (id.includes("/")) {
    const canonical = canonicalZone(id);
    if (canonical) return { value: canonical };
  }
  for (const words of [z.words, id]) {
    const zone = zoneFromWords(words, ctx, offline);
    if (zone) return { value: zone };
  }
  return { issue: { kind: "unplaced", text: z.words.trim() || id } };
}

/** The runtime's spelling of a valid zone ("europe/berlin" → "Europe/Berlin"), or null. */
export function canonicalZone(id: string): string | null {
  if (!isValidTimeZone(id)) return null;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: id }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** The zone the offline grammar reads in "my time zone is <words>", or null. */
function zoneFromWords(words: string, ctx: InterpretContext, offline: OfflineFn): string | null {
  const w = words.trim();
  if (!w || w.length > 60) return null;
  try {
    const tz = offline(`my time zone is ${w}`, ctx).timezone;
    return tz ? canonicalZone(tz) : null;
  } catch {
    return null; // The grammar failing is the same as the grammar not knowing the name.
  }
}
