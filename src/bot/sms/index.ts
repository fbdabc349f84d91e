import type { SmsSettings } from "../../notify/sms/index.js";
import type { InboundAdapter } from "../types.js";
import { mountSms, type SmsDeps, workSms } from "./webhook.js";

export { keywordOf } from "./keywords.js";
export { twiml } from "./twiml.js";

/** SMS's inbound side (Twilio's webhooks; the messages they store are handled in workers), for the channel registry. */
export const smsInbound: InboundAdapter<SmsSettings, SmsDeps> = { mount: mountSms, work: workSms };
