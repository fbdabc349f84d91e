import twilio from "twilio";
import { ProviderError } from "../../errors/index.js";
import { maskPhone } from "../../log/index.js";

type RequestOptions<T> = Parameters<twilio.RequestClient["request"]>[0] & { data?: T };
type TwilioResponse<T> = Awaited<ReturnType<twilio.RequestClient["request"]>> & { body: T };

/**
 * Twilio's SDK builds absolute https://api.twilio.com URLs; this request client swaps the origin for
 * TWILIO_API_URL (a regional edge, a proxy, or the test fake) and leaves path, auth and body as the SDK
 * made them, so the real SDK still does the talking. It also keeps a 429's Retry-After, which the SDK's
 * RestException drops (it keeps the status and body only).
 */
class HeraldRequestClient extends twilio.RequestClient {
  constructor(private readonly origin?: URL) {
    super({ timeout: 15_000 });
  }

  override async request<TData>(opts: RequestOptions<TData>): Promise<TwilioResponse<TData>> {
    let uri = opts.uri;
    if (this.origin) {
      const u = new URL(opts.uri);
      u.protocol = this.origin.protocol;
      u.host = this.origin.host;
      uri = u.toString();
    }
    const res = await super.request<TData>({ ...opts, uri });
    if (res.statusCode === 429) {
      const headers = (res as { headers?: Record<string, string | undefined> }).headers ?? {};
      const seconds = Number(headers["retry-after"] ?? headers["Retry-After"]);
      const body = (typeof res.body === "string" ? safeJson(res.body) : res.body) as {
        code?: number;
        message?: string;
      };
      throw Object.assign(new Error(body?.message ?? "Too Many Requests"), {
        status: 429,
        code: body?.code,
        retryAfterMs: Number.isFinite(seconds) ? seconds * 1000 : undefined,
      });
    }
    return res;
  }
}

const safeJson = (s: string): unknown => {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
};

/** A Twilio REST client for the account, pointed at `apiUrl` when one is configured. */
export function twilioClient(accountSid: string, authToken: string, apiUrl?: string): twilio.Twilio {
  return twilio(accountSid, authToken, {
    httpClient: new HeraldRequestClient(apiUrl ? new URL(apiUrl) : undefined) as twilio.RequestClient,
  });
}

/** What a Twilio REST failure means for a retry, as the one provider error. https://www.twilio.com/docs/api/errors */
export function classifyTwilioError(err: unknown): ProviderError {
  const e = err as { status?: number; code?: number; message?: string; moreInfo?: string; retryAfterMs?: number };
  const code = typeof e.code === "number" ? e.code : undefined;
  const status = typeof e.status === "number" ? e.status : undefined;
  const details = { provider: "twilio", status, providerCode: code, cause: err };
  // 21610: the recipient replied STOP at the carrier; nothing reaches them until they text START.
  if (code === 21610)
    return new ProviderError(
      "opted_out",
      "Twilio 21610: the recipient has unsubscribed (STOP); they must text START before Herald can reach them",
      details,
    );
  // 429 (Twilio 20429, too many requests at once or too fast): the provider pacing us, not a failure.
  if (status === 429)
    return new ProviderError("rate_limited", `Twilio 429: ${e.message ?? "Too Many Requests"}`, {
      ...details,
      retryAfterMs: e.retryAfterMs,
    });
  // Other 4xx (bad number 21211, not SMS-capable 21614, …) won't change on retry; 429 and 5xx may.
  const permanent = status !== undefined && status >= 400 && status < 500 && status !== 429 && status !== 408;
  const what = code ? `Twilio ${code}` : status ? `Twilio HTTP ${status}` : "Twilio request failed";
  // Twilio quotes the number in some messages ("The 'To' number +1555… is not valid"); logs must not.
  const text = (e.message ?? String(err)).replace(/\+\d{7,15}/g, (n) => maskPhone(n));
  return new ProviderError(permanent ? "permanent" : "retryable", `${what}: ${text}`, details);
}

/**
 * The absolute URL Twilio signs for one of our endpoints: PUBLIC_URL plus the request's path and query.
 * Never built from Host or X-Forwarded-* headers, which the caller controls.
 */
export function publicEndpoint(publicUrl: string, pathAndQuery: string): string {
  return `${publicUrl.replace(/\/+$/, "")}${pathAndQuery.startsWith("/") ? "" : "/"}${pathAndQuery}`;
}
