import { describe, expect, it } from "vitest";
import { interpretOffline } from "../../src/ai/offline/index.js";
import type { Interpretation } from "../../src/ai/types.js";

const NY = "America/New_York";
/** Friday 2026-03-06 10:15 in New York. */
const FRI = new Date("2026-03-06T10:15:00-05:00");
const interpret = (text: string): Interpretation => interpretOffline(text, { now: FRI, tz: NY });

describe("everyday replies", () => {
  it.each([
    "done",
    "Done!",
    "mark it done",
    "I did it",
    "did it",
    "all done",
    "it's done",
    "finished",
    "ok done thanks",
  ])("%s marks the last reminder done", (text) => {
    expect(interpret(text)).toMatchObject({ intent: "done", ref: { kind: "last" }, schedule: null });
  });

  it("marks a named reminder done", () => {
    expect(interpret("mark the dentist one as done")).toMatchObject({
      intent: "done",
      ref: { kind: "text", words: "dentist" },
    });
  });

  it.each([
    ["skip next", { kind: "last" }],
    ["skip it", { kind: "last" }],
    ["skip this one", { kind: "last" }],
    ["skip the next recycling one", { kind: "text", words: "recycling" }],
    ["skip tomorrow's gym reminder", { kind: "text", words: "gym" }],
  ])("%s skips %j", (text, ref) => {
    expect(interpret(text)).toMatchObject({ intent: "skip", ref });
  });

  it("leaves a media skip to other assistants", () => {
    expect(interpret("skip this song").intent).not.toBe("skip");
  });

  it.each(["undo", "undo that", "Undo!", "take that back", "revert the last change"])("%s is an undo", (text) => {
    expect(interpret(text).intent).toBe("undo");
  });

  it.each(["yes", "yep", "Yeah sure", "sure", "ok", "ok do it", "confirm", "go ahead", "yes please"])(
    "%s confirms",
    (text) => {
      expect(interpret(text).intent).toBe("confirm");
    },
  );

  it.each(["no", "nope", "nah", "don't", "no thanks", "not that one"])("%s denies", (text) => {
    expect(interpret(text).intent).toBe("deny");
  });

  it("keeps a plain 'cancel' a cancel of the last task", () => {
    expect(interpret("cancel")).toMatchObject({ intent: "cancel", ref: { kind: "last" } });
  });

  it("reads a correction after 'no' with the full grammar", () => {
    expect(interpret("no, at 6").intent).not.toBe("deny");
  });
});

describe("what's next", () => {
  it.each(["what's next?", "what's my next reminder", "when is my next alarm", "next reminder"])(
    "%s lists one task",
    (text) => {
      expect(interpret(text)).toMatchObject({ intent: "list", limit: 1 });
    },
  );

  it("lists as many as asked for", () => {
    expect(interpret("show me my next 3 alarms")).toMatchObject({ intent: "list", limit: 3 });
  });

  it("sets no limit on a plain list", () => {
    expect(interpret("what are my reminders").limit).toBeUndefined();
  });
});
