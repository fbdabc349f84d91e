/**
 * Carrier keywords. US carriers (CTIA) and Twilio's Advanced Opt-Out treat these as reserved: Twilio
 * itself stops delivering after STOP, so we must record it too or our sends start failing with 21610.
 * https://help.twilio.com/articles/223134027
 */
const OPT_OUT = new Set(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"]);
const OPT_IN = new Set(["START", "UNSTOP"]);
const HELP = new Set(["HELP", "INFO"]);

export type Keyword = "opt_out" | "opt_in" | "help" | null;

/** The keyword a whole SMS body is, if any: only the body alone counts ("stop calling mom" is a request). */
export function keywordOf(body: string): Keyword {
  const word = body
    .trim()
    .replace(/[.!]+$/, "")
    .toUpperCase();
  if (OPT_OUT.has(word)) return "opt_out";
  if (OPT_IN.has(word)) return "opt_in";
  if (HELP.has(word)) return "help";
  return null;
}

export const SMS_HELP =
  'Herald sets reminders by text. Try "remind me at 5pm to call mom", "what are my reminders", "snooze 10" or "done". Reply STOP to stop all messages, START to resume.';
export const SMS_OPTED_OUT = "You're unsubscribed from Herald and won't get more messages. Reply START to resume.";
export const SMS_OPTED_IN = "Welcome back: Herald will text you again. Reply HELP for help, STOP to stop.";
