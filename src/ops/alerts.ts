/**
 * Alert policy as a pure state machine: what to announce, given what was observed and when.
 *
 * Two kinds of alert:
 * - events (a run failed for good, a delivery failed for good, timers re-created): the first one is
 *   announced at once; more within the quiet period are counted and announced together when it ends;
 *   a quiet period without any announces the recovery.
 * - conditions (no live worker, backlog, LLM failing, approvals held past their due time): announced once the condition has held for its
 *   `forMs`; repeated at most once per quiet period while it holds; its end announces the recovery.
 */

export type EventAlert = "run_failed" | "delivery_failed" | "timers_recreated";
export type ConditionAlert = "no_worker" | "backlog" | "llm_failing" | "approval_overdue";
export type AlertKey = EventAlert | ConditionAlert;

export interface AlertPolicy {
  /** The same alert is not repeated within this period. @defaultValue 15 minutes */
  quietMs: number;
  /** How long a condition must hold before it is announced. */
  forMs: Record<ConditionAlert, number>;
}

export const DEFAULT_POLICY: AlertPolicy = {
  quietMs: 15 * 60_000,
  forMs: { no_worker: 2 * 60_000, backlog: 60_000, llm_failing: 0, approval_overdue: 0 },
};

export interface AlertEntry {
  phase: "pending" | "firing";
  /** When the condition started holding, or the first event. */
  since: number;
  lastNotifiedAt: number;
  lastEventAt: number;
  /** Events since the last announcement (events), or the latest measured count (conditions). */
  count: number;
  /** Events in this episode, announced or not. */
  total: number;
  detail: string;
}

/** State: one entry per alert that is pending or firing. Absent means all clear. */
export type AlertState = Partial<Record<AlertKey, AlertEntry>>;

export interface Observation {
  /** Events that just happened. */
  events?: { key: EventAlert; count: number; detail: string }[];
  /** Conditions measured now; a condition left out keeps its state. */
  conditions?: Partial<Record<ConditionAlert, { active: boolean; count: number; detail: string }>>;
}

export type NotificationKind = "firing" | "repeat" | "recovered";

export interface Notification {
  key: AlertKey;
  kind: NotificationKind;
  /** For events: how many since the last announcement; for conditions: the latest count. */
  count: number;
  /** For events: how many in this episode. */
  total: number;
  detail: string;
  /** How long the episode has lasted at this notification. */
  durationMs: number;
}

const EVENT_KEYS: readonly EventAlert[] = ["run_failed", "delivery_failed", "timers_recreated"];
export const isEventAlert = (k: AlertKey): k is EventAlert => (EVENT_KEYS as readonly string[]).includes(k);

/** One step of the machine: the next state and what to announce. Pure; `now` is epoch ms. */
export function stepAlerts(
  state: AlertState,
  obs: Observation,
  now: number,
  policy: AlertPolicy = DEFAULT_POLICY,
): { state: AlertState; notifications: Notification[] } {
  const next: AlertState = { ...state };
  const out: Notification[] = [];
  const note = (key: AlertKey, kind: NotificationKind, e: AlertEntry) =>
    out.push({ key, kind, count: e.count, total: e.total, detail: e.detail, durationMs: now - e.since });

  for (const ev of obs.events ?? []) {
    if (ev.count <= 0) continue;
    const cur = next[ev.key];
    if (!cur) {
      const e: AlertEntry = {
        phase: "firing",
        since: now,
        lastNotifiedAt: now,
        lastEventAt: now,
        count: ev.count,
        total: ev.count,
        detail: ev.detail,
      };
      note(ev.key, "firing", e);
      next[ev.key] = { ...e, count: 0 };
    } else {
      next[ev.key] = {
        ...cur,
        lastEventAt: now,
        count: cur.count + ev.count,
        total: cur.total + ev.count,
        detail: ev.detail,
      };
    }
  }

  for (const [key, c] of Object.entries(obs.conditions ?? {}) as [
    ConditionAlert,
    { active: boolean; count: number; detail: string },
  ][]) {
    const cur = next[key];
    if (!c.active) {
      if (cur?.phase === "firing") note(key, "recovered", { ...cur, count: c.count, detail: c.detail });
      delete next[key];
      continue;
    }
    const e: AlertEntry = cur
      ? { ...cur, count: c.count, detail: c.detail, lastEventAt: now }
      : {
          phase: "pending",
          since: now,
          lastNotifiedAt: 0,
          lastEventAt: now,
          count: c.count,
          total: c.count,
          detail: c.detail,
        };
    if (e.phase === "pending" && now - e.since >= policy.forMs[key]) {
      e.phase = "firing";
      e.lastNotifiedAt = now;
      note(key, "firing", e);
    } else if (e.phase === "firing" && now - e.lastNotifiedAt >= policy.quietMs) {
      e.lastNotifiedAt = now;
      note(key, "repeat", e);
    }
    next[key] = e;
  }

  // Quiet periods of event alerts: announce what accumulated, or the recovery after a period without any.
  for (const key of EVENT_KEYS) {
    const cur = next[key];
    if (!cur || now - cur.lastNotifiedAt < policy.quietMs) continue;
    if (cur.count > 0) {
      note(key, "repeat", cur);
      next[key] = { ...cur, count: 0, lastNotifiedAt: now };
    } else if (now - cur.lastEventAt >= policy.quietMs) {
      note(key, "recovered", cur);
      delete next[key];
    }
  }
  return { state: next, notifications: out };
}
