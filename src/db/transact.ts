import type { Prisma } from "../generated/prisma/client.js";
import type { Db } from "./connect.js";

/** A transaction's client: what a store writes through when its write is part of a larger one. */
export type Tx = Prisma.TransactionClient;

/**
 * Writes that commit together (a conversation's turn: the message, the tasks it creates or changes, the
 * dialogue state and the reply), and the steps that must wait for the commit: a timer in Redis is set only
 * for a row that exists.
 */
export interface Unit {
  tx: Tx;
  afterCommit(step: () => Promise<unknown>): void;
}

/**
 * Prisma's defaults (2 s to get a connection, 5 s to finish) would fail a turn under a burst of messages,
 * when the pool is busy: waiting is better, and a turn's writes are few.
 */
const LIMITS = { maxWait: 10_000, timeout: 20_000 };

/**
 * Runs `work` in one transaction, then the steps it deferred, in order. A step that fails after the commit
 * goes to `afterFailed` (the writes stand: Herald's sweeps repair what a step leaves undone, such as a
 * timer) and the rest still run.
 */
export async function transact<T>(
  prisma: Db,
  work: (unit: Unit) => Promise<T>,
  afterFailed: (err: Error) => void,
): Promise<T> {
  const after: (() => Promise<unknown>)[] = [];
  const value = await prisma.$transaction((tx) => work({ tx, afterCommit: (step) => after.push(step) }), LIMITS);
  for (const step of after) await step().catch(afterFailed);
  return value;
}
