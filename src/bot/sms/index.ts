import type { SmsSettings } from "../../notify/sms/index.js";
import type { InboundAdapter } from "../types.js";
import { mountSms, type SmsDeps } from "./webhook.js";

export { keywordOf } from "./keywords.js";
export { twiml } from "./twiml.js";

/** SMS's inbound side (Twilio's webhooks), for the channel registry. */
export const smsInbound: InboundAdapter<SmsSettings, SmsDeps> = { mount: mountSms };
