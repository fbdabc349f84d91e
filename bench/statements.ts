import { claimDeliveries, finishDeliveries } from "../src/notify/store.js";
import { commitMany, peekMany } from "../src/tasks/runs-batch.js";
import type { Completion } from "../src/tasks/runs.js";
import { insertTasks, type Scratch } from "./engine.js";

/** Postgres time a task spends in each of the hot path's statements, in microseconds. */
export interface StatementCosts {
  /** Reading the occurrence (a pure executor's runs are not claimed before they act). */
  peek: number;
  /** The claim and completion in one, with the outbox row. */
  commit: number;
  deliveryClaim: number;
  deliveryFinish: number;
  total: number;
}

/**
 * The four statements a task costs on the hot path of a pure executor (the read, the claim and completion
 * with its outbox row in one, the delivery's claim, the record of its send), timed one after another from this process in batches of `batch`, as the
 * workers' MicroBatchers make them, on `n` fresh tasks `rounds` times. Far less noisy than a burst's wall
 * time on a shared machine: this is where a change to the SQL, the indexes or the triggers shows first.
 */
export async function statementCosts(s: Scratch, n: number, rounds: number, batch = 500): Promise<StatementCosts> {
  const ms = { peek: 0, commit: 0, deliveryClaim: 0, deliveryFinish: 0 };
  const timed = async <T>(key: keyof typeof ms, f: () => Promise<T>): Promise<T> => {
    const at = performance.now();
    const out = await f();
    ms[key] += performance.now() - at;
    return out;
  };
  for (let round = 0; round < rounds; round++) {
    const due = new Date(Date.now() + 86_400_000 + round * 1000);
    await insertTasks(s, n, due, 0);
    const { rows } = await s.db.pool.query<{ id: string; next_run_at: Date }>(
      `SELECT id, next_run_at FROM tasks WHERE run_at = $1 ORDER BY random()`,
      [due],
    );
    for (let i = 0; i < rows.length; i += batch) {
      const now = new Date();
      const page = rows.slice(i, i + batch).map((r) => ({ taskId: r.id, occurrence: r.next_run_at }));
      const peeked = (await timed("peek", () => peekMany(s.db.pool, page))).flatMap((p) => (p ? [p] : []));
      const done: Completion = {
        startedAt: now,
        lateMs: 0,
        output: "bench",
        deliveries: [{ channel: "console", recipient: "bench", body: "bench" }],
        next: null,
        timerAt: null,
      };
      const completed = await timed("commit", () =>
        commitMany(
          s.db.pool,
          peeked.map((p) => ({ peeked: p, done })),
          new Date(),
        ),
      );
      const ids = completed.flatMap((c) => c?.deliveries ?? []);
      const claimed = await timed("deliveryClaim", () => claimDeliveries(s.db.pool, ids, "bench", 30_000));
      const sent = claimed.flatMap((d) => (d ? [{ id: d.id, status: "delivered", providerId: null }] : []));
      await timed("deliveryFinish", () => finishDeliveries(s.db.pool, sent));
      if (sent.length !== page.length) throw new Error(`statements: ${sent.length} of ${page.length} went through`);
    }
  }
  const us = (x: number) => Math.round((x * 1000) / (n * rounds));
  const out = {
    peek: us(ms.peek),
    commit: us(ms.commit),
    deliveryClaim: us(ms.deliveryClaim),
    deliveryFinish: us(ms.deliveryFinish),
  };
  return { ...out, total: out.peek + out.commit + out.deliveryClaim + out.deliveryFinish };
}
