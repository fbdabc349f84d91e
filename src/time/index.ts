export {
  isValidTimeZone,
  wallToInstant,
  instantToWall,
  toZonedIso,
  formatForUser,
  formatDistance,
  type WallTime,
} from "./zone.js";
export {
  nextOccurrence,
  previousOccurrence,
  upcoming,
  minimumInterval,
  validateRrule,
  describeRrule,
  type Recurrence,
} from "./recurrence.js";
export { describeRule, describeSchedule, rruleParts, rruleOf, clockText, andList } from "./describe.js";
