/**
 * SMS segment arithmetic (GSM 03.38). A message that fits one segment carries 160 GSM-7 characters or
 * 70 UCS-2 code units; once it is split, each part loses room to the concatenation header: 153 and 67.
 * Carriers bill and may drop by segment, so bodies are cut to SMS_MAX_SEGMENTS before sending.
 */

const GSM7_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/** Characters sent through the escape table: each costs two septets. */
const GSM7_EXTENDED = "^{}\\[~]|€\f";
const BASIC = new Set(GSM7_BASIC);
const EXTENDED = new Set(GSM7_EXTENDED);

export type SmsEncoding = "GSM-7" | "UCS-2";

export function encodingOf(text: string): SmsEncoding {
  for (const ch of text) if (!BASIC.has(ch) && !EXTENDED.has(ch)) return "UCS-2";
  return "GSM-7";
}

/** Units a text occupies: septets for GSM-7 (escaped characters count twice), UTF-16 code units for UCS-2. */
function unitsOf(text: string, enc: SmsEncoding): number {
  if (enc === "UCS-2") return text.length;
  let n = 0;
  for (const ch of text) n += EXTENDED.has(ch) ? 2 : 1;
  return n;
}

const capacity = (enc: SmsEncoding, segments: number) =>
  segments <= 1 ? (enc === "GSM-7" ? 160 : 70) : segments * (enc === "GSM-7" ? 153 : 67);

/** How many segments `text` is sent as. */
export function segmentCount(text: string): number {
  const enc = encodingOf(text);
  const units = unitsOf(text, enc);
  if (units <= capacity(enc, 1)) return 1;
  return Math.ceil(units / (enc === "GSM-7" ? 153 : 67));
}

/**
 * Cuts `text` to at most `maxSegments` segments: at the last word boundary that fits, followed by "…".
 * The ellipsis is not GSM-7, so a cut GSM text is measured as UCS-2; "..." keeps it GSM-7 and is used
 * instead, because switching encoding would more than halve the room.
 */
export function fitSegments(text: string, maxSegments: number): string {
  if (segmentCount(text) <= maxSegments) return text;
  const enc = encodingOf(text);
  const ellipsis = enc === "GSM-7" ? "..." : "…";
  const room = capacity(enc, maxSegments) - unitsOf(ellipsis, enc);
  // Walk by code point so a surrogate pair (emoji) is never split.
  let kept = "";
  let used = 0;
  let next = "";
  for (const ch of text) {
    const u = unitsOf(ch, enc);
    if (used + u > room) {
      next = ch;
      break;
    }
    kept += ch;
    used += u;
  }
  // When the cut falls on a space the last word is whole; otherwise drop the partial word.
  const atWord = /\s/.test(next) ? kept : kept.replace(/\s+\S*$/, "");
  const body = (atWord.trim().length > 0 ? atWord : kept).trimEnd();
  return body + ellipsis;
}
