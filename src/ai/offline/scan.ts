/**
 * The bookkeeping the grammars share: which characters of the normalized message some rule has
 * accounted for. Rules only match text nobody has claimed yet, so a more specific rule that runs
 * first ("every monday") keeps a later, looser one ("monday") from reading the same words again.
 */
export class Claims {
  private readonly used: Uint8Array;
  private cache: string | null = null;

  constructor(readonly text: string) {
    this.used = new Uint8Array(text.length);
  }

  /** True when any character of [start, end) is already claimed. */
  taken(start: number, end: number): boolean {
    for (let i = start; i < end; i++) if (this.used[i]) return true;
    return false;
  }

  claim(start: number, end: number): void {
    for (let i = start; i < end; i++) this.used[i] = 1;
    this.cache = null;
  }

  /**
   * Runs `re` (global) over the text; for each match on unclaimed text, calls `onMatch`, and claims the
   * match when it returns true.
   */
  scan(re: RegExp, onMatch: (m: RegExpExecArray) => boolean): void {
    re.lastIndex = 0;
    for (let m = re.exec(this.text); m; m = re.exec(this.text)) {
      const start = m.index,
        end = m.index + m[0].length;
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      if (this.taken(start, end)) {
        re.lastIndex = start + 1;
        continue;
      }
      if (onMatch(m)) this.claim(start, end);
      else re.lastIndex = start + 1;
    }
  }

  /** The text with claimed characters blanked out, same length so indexes still line up. */
  masked(): string {
    if (this.cache === null) {
      const out = this.text.split("");
      for (let i = 0; i < out.length; i++) if (this.used[i]) out[i] = " ";
      this.cache = out.join("");
    }
    return this.cache;
  }

  /** The words nobody has claimed, in order. */
  unclaimedWords(): string[] {
    return this.masked().split(" ").filter(Boolean);
  }
}

/** Word boundaries that treat apostrophes, # and @ as part of a word ("o'clock", "#ops"). */
export const B = "(?<![\\w'#@/])";
export const E = "(?![\\w'])";

/** Builds a global regex from a pattern written with B / E boundaries. */
export const rx = (pattern: string): RegExp => new RegExp(pattern, "g");
