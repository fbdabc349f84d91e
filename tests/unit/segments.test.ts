import { describe, expect, it } from "vitest";
import { encodingOf, fitSegments, segmentCount } from "../../src/notify/sms/index.js";

describe("SMS segments", () => {
  it("counts 160 GSM-7 characters as one segment and 161 as two", () => {
    expect(segmentCount("a".repeat(160))).toBe(1);
    expect(segmentCount("a".repeat(161))).toBe(2);
    expect(segmentCount("a".repeat(306))).toBe(2);
    expect(segmentCount("a".repeat(307))).toBe(3);
  });

  it("counts escaped GSM-7 characters (€, {, [) as two septets", () => {
    expect(encodingOf("price: 5€ [ok]")).toBe("GSM-7");
    expect(segmentCount("€".repeat(80))).toBe(1);
    expect(segmentCount("€".repeat(81))).toBe(2);
  });

  it("counts any non-GSM character as UCS-2 at 70 per segment and 67 when split", () => {
    expect(encodingOf("remind me ⏰")).toBe("UCS-2");
    expect(segmentCount("ж".repeat(70))).toBe(1);
    expect(segmentCount("ж".repeat(71))).toBe(2);
    expect(segmentCount("ж".repeat(134))).toBe(2);
    expect(segmentCount("ж".repeat(135))).toBe(3);
  });

  it("leaves a body that fits untouched", () => {
    const text = "⏰ stretch your legs";
    expect(fitSegments(text, 1)).toBe(text);
  });

  it("cuts a long GSM-7 body at a word, ends it with ... and keeps it within the segments", () => {
    const text = Array.from({ length: 100 }, (_, i) => `word${i}`).join(" ");
    const cut = fitSegments(text, 2);
    expect(cut.endsWith("...")).toBe(true);
    expect(cut.length).toBeLessThanOrEqual(306);
    expect(segmentCount(cut)).toBe(2);
    expect(encodingOf(cut)).toBe("GSM-7");
    const lastWord = cut.slice(0, -3).split(" ").pop()!;
    expect(text.split(" ")).toContain(lastWord);
  });

  it("cuts a long UCS-2 body with … within 67 units per segment", () => {
    const text = `⏰ ${Array.from({ length: 60 }, () => "задача").join(" ")}`;
    const cut = fitSegments(text, 1);
    expect(cut.endsWith("…")).toBe(true);
    expect(cut.length).toBeLessThanOrEqual(70);
    expect(cut.slice(0, -1).endsWith("задача")).toBe(true);
  });

  it("keeps the last word when the cut falls exactly on a space", () => {
    const text = `${"a".repeat(156)} bbbb`;
    expect(fitSegments(text, 1)).toBe(`${"a".repeat(156)}...`);
  });

  it("never splits an emoji's surrogate pair", () => {
    const cut = fitSegments("🙂".repeat(100), 1);
    expect(cut).toBe(`${"🙂".repeat(34)}…`);
  });
});
