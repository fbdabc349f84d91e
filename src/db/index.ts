export {
  connectDatabase,
  ensureDatabase,
  dropDatabase,
  describeDatabaseUrl,
  postgresUnavailable,
  pruneBatch,
  type Database,
  type Db,
} from "./connect.js";
export { transact, type Tx, type Unit } from "./transact.js";
export { migrate, pendingMigrations, readMigrations } from "./migrate.js";
export type { User, Task, TaskRun, Delivery, Message, AuditLog } from "../generated/prisma/client.js";
export { Prisma } from "../generated/prisma/client.js";
