import { invalidParameter } from './errors';
import { RotationRules } from './store';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
/** How far ahead a cron expression is searched before it is taken to never match again. */
const CRON_SEARCH_DAYS = 5 * 366;

/**
 * A secret's rotation schedule, as Secrets Manager keeps it (UTC):
 * - `AutomaticallyAfterDays: N` and `rate(N days)`: the window opens at midnight, N days after the day of the
 *   last rotation (or manual change); by default it lasts to the end of that day.
 * - `rate(N hours)`: windows open every N hours from midnight (the count restarts each day); the next one is the
 *   first that opens at least N hours after the last rotation. By default a window lasts one hour.
 * - `cron(...)`: a window opens at every matching hour; by default it lasts to the end of the day, or one hour
 *   when the expression names several hours a day.
 * `Duration` shortens the window. The simulator rotates at the window's start, so runs are reproducible.
 */
export interface RotationSchedule {
  /** The start of the first window for a rotation after one at `base`, no earlier than `notBefore`. */
  nextWindowStart(base: number, notBefore: number): number | undefined;
  /** Length of the window that opens at `start`, in milliseconds. */
  windowLength(start: number): number;
}

/** Validates rotation rules and returns their schedule. Throws InvalidParameterException for bad rules. */
export function parseRotationRules(rules: RotationRules): RotationSchedule {
  const { automaticallyAfterDays: days, scheduleExpression: expression, duration } = rules;
  if (days !== undefined && expression !== undefined) {
    throw invalidParameter('You cannot specify both rotation frequency and schedule expression together.');
  }
  const durationHours = duration === undefined ? undefined : parseDuration(duration);
  let base: Omit<RotationSchedule, 'windowLength'> & { maxWindowHours: number; defaultWindow(start: number): number };
  if (days !== undefined) {
    base = dailySchedule(days);
  } else if (expression !== undefined) {
    base = parseExpression(expression);
  } else {
    throw invalidParameter('RotationRules must contain AutomaticallyAfterDays or ScheduleExpression.');
  }
  if (durationHours !== undefined && durationHours > base.maxWindowHours) {
    throw invalidParameter(
      `The rotation window Duration ${duration} must not extend into the next rotation window or the next UTC day (at most ${base.maxWindowHours}h for this schedule).`,
    );
  }
  return {
    nextWindowStart: (b, n) => base.nextWindowStart(b, n),
    windowLength: (start) => (durationHours !== undefined ? durationHours * HOUR : base.defaultWindow(start)),
  };
}

function parseDuration(duration: string): number {
  if (!/^[0-9]+h$/.test(duration) || duration.length > 3) {
    throw invalidParameter(`Duration must be a number of hours such as 3h, got "${duration}".`);
  }
  const hours = Number(duration.slice(0, -1));
  if (hours < 1) throw invalidParameter(`Duration must be at least 1h, got "${duration}".`);
  return hours;
}

function parseExpression(expression: string) {
  const rate = /^rate\(\s*(\d+)\s+(hour|hours|day|days)\s*\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    if (rate[2].startsWith('day')) return dailySchedule(value);
    if (value < 4) throw invalidParameter(`The schedule expression ${expression} rotates more often than every 4 hours.`);
    if (value % 24 === 0) return dailySchedule(value / 24);
    return hourlySchedule(value);
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) return cronSchedule(parseCron(cron[1], expression));
  throw invalidParameter(`The schedule expression ${expression} must be rate(...) or cron(...).`);
}

function dailySchedule(days: number) {
  if (!Number.isInteger(days) || days < 1 || days > 1000) {
    throw invalidParameter(`The rotation interval must be between 1 and 1000 days, got ${days}.`);
  }
  return {
    maxWindowHours: 24,
    nextWindowStart: (base: number, notBefore: number) => ceilTo(Math.max(startOfDay(base) + days * DAY, notBefore), DAY),
    defaultWindow: () => DAY,
  };
}

function hourlySchedule(hours: number) {
  return {
    maxWindowHours: Math.min(hours, 24),
    nextWindowStart: (base: number, notBefore: number) => {
      const due = Math.max(base + hours * HOUR, notBefore);
      // Windows open at multiples of `hours` from each midnight; beyond a day they open on any hour.
      if (hours > 24) return ceilTo(due, HOUR);
      let start = ceilTo(due, HOUR);
      while ((new Date(start).getUTCHours() % hours) !== 0) start += HOUR;
      return start;
    },
    defaultWindow: () => HOUR,
  };
}

function startOfDay(time: number): number {
  return Math.floor(time / DAY) * DAY;
}

function ceilTo(time: number, unit: number): number {
  return Math.ceil(time / unit) * unit;
}

// ---- cron ----

interface CronFields {
  readonly hours: number[];
  readonly months: Set<number>;
  readonly dayMatches: (date: Date) => boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function cronSchedule(fields: CronFields) {
  const maxWindowHours = Math.min(
    24 - fields.hours[fields.hours.length - 1],
    ...fields.hours.slice(1).map((hour, i) => hour - fields.hours[i]),
  );
  return {
    maxWindowHours,
    nextWindowStart: (base: number, notBefore: number) => {
      const from = ceilTo(Math.max(base + 1, notBefore), HOUR);
      let day = startOfDay(from);
      for (let i = 0; i < CRON_SEARCH_DAYS; i++, day += DAY) {
        const date = new Date(day);
        if (!fields.months.has(date.getUTCMonth() + 1) || !fields.dayMatches(date)) continue;
        const hour = fields.hours.find((h) => day + h * HOUR >= from);
        if (hour !== undefined) return day + hour * HOUR;
      }
      return undefined;
    },
    defaultWindow: (start: number) => (fields.hours.length > 1 ? HOUR : startOfDay(start) + DAY - start),
  };
}

function parseCron(body: string, expression: string): CronFields {
  const bad = (what: string) => invalidParameter(`The schedule expression ${expression} is invalid: ${what}.`);
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) throw bad('a cron expression has 6 fields (minutes hours day-of-month month day-of-week year)');
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = parts;
  if (minutes !== '0') throw bad('minutes must be 0');
  if (year !== '*') throw bad('year must be *');
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) throw bad('exactly one of day-of-month and day-of-week must be ?');
  const hourList = [...expandList(hours, 0, 23, [], bad)].sort((a, b) => a - b);
  const dayMatches = dayOfMonth !== '?' ? dayOfMonthMatcher(dayOfMonth, bad) : dayOfWeekMatcher(dayOfWeek, bad);
  return { hours: hourList, months: expandList(month, 1, 12, MONTHS, bad), dayMatches };
}

type Bad = (what: string) => Error;

function dayOfMonthMatcher(field: string, bad: Bad): (date: Date) => boolean {
  const tests = field.split(',').map((part): ((date: Date) => boolean) => {
    if (part === 'L') return (date) => date.getUTCDate() === daysInMonth(date);
    if (part === 'LW') return (date) => date.getUTCDate() === nearestWeekday(date, daysInMonth(date));
    const weekday = /^(\d{1,2})W$/.exec(part);
    if (weekday) {
      const day = Number(weekday[1]);
      if (day < 1 || day > 31) throw bad(`day-of-month "${part}" is out of range`);
      return (date) => date.getUTCDate() === nearestWeekday(date, Math.min(day, daysInMonth(date)));
    }
    const days = expandPart(part, 1, 31, [], bad);
    return (date) => days.includes(date.getUTCDate());
  });
  return (date) => tests.some((test) => test(date));
}

function dayOfWeekMatcher(field: string, bad: Bad): (date: Date) => boolean {
  const tests = field.split(',').map((part): ((date: Date) => boolean) => {
    const weekdayOf = (date: Date) => date.getUTCDay() + 1;
    if (part === 'L') return (date) => weekdayOf(date) === 7;
    const last = /^(\w+)L$/.exec(part);
    if (last) {
      const day = parseValue(last[1], 1, 7, WEEKDAYS, bad);
      return (date) => weekdayOf(date) === day && date.getUTCDate() + 7 > daysInMonth(date);
    }
    const nth = /^(\w+)#([1-5])$/.exec(part);
    if (nth) {
      const day = parseValue(nth[1], 1, 7, WEEKDAYS, bad);
      const n = Number(nth[2]);
      return (date) => weekdayOf(date) === day && Math.ceil(date.getUTCDate() / 7) === n;
    }
    const days = expandPart(part, 1, 7, WEEKDAYS, bad);
    return (date) => days.includes(weekdayOf(date));
  });
  return (date) => tests.some((test) => test(date));
}

function expandList(field: string, min: number, max: number, names: string[], bad: Bad): Set<number> {
  return new Set(field.split(',').flatMap((part) => expandPart(part, min, max, names, bad)));
}

/** One list element: `*`, `N`, `A-B`, each with an optional `/step` (`N/step` runs to the maximum). */
function expandPart(part: string, min: number, max: number, names: string[], bad: Bad): number[] {
  const [range, stepText, ...rest] = part.split('/');
  const step = stepText === undefined ? 1 : Number(stepText);
  if (rest.length > 0 || !Number.isInteger(step) || step < 1) throw bad(`"${part}" is not a valid value`);
  let from = min;
  let to = max;
  if (range !== '*') {
    const [a, b, ...more] = range.split('-');
    if (more.length > 0) throw bad(`"${part}" is not a valid range`);
    from = parseValue(a, min, max, names, bad);
    to = b !== undefined ? parseValue(b, min, max, names, bad) : stepText !== undefined ? max : from;
    if (to < from) throw bad(`"${part}" is an empty range`);
  }
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
}

function parseValue(text: string, min: number, max: number, names: string[], bad: Bad): number {
  const named = names.indexOf(text.toUpperCase());
  const value = named >= 0 ? named + min : /^\d{1,2}$/.test(text) ? Number(text) : NaN;
  if (!(value >= min && value <= max)) throw bad(`"${text}" is not between ${min} and ${max}`);
  return value;
}

function daysInMonth(date: Date): number {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
}

/** The weekday (Monday–Friday) nearest to `day` in the month of `date`, without leaving the month. */
function nearestWeekday(date: Date, day: number): number {
  const weekday = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), day)).getUTCDay();
  if (weekday === 6) return day === 1 ? day + 2 : day - 1;
  if (weekday === 0) return day === daysInMonth(date) ? day - 2 : day + 1;
  return day;
}
