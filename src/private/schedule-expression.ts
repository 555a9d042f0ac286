import { PropError } from './errors';

/**
 * Validation of Secrets Manager rotation schedule expressions (`rate(...)`, `cron(...)`).
 *
 * Secrets Manager's rules: at most every 4 hours and at least every 1000 days; cron minutes `0`,
 * year `*`, exactly one of day-of-month and day-of-week `?`. A rotation window must not run into the
 * next window nor past the end of the UTC day.
 */

/** What a valid expression tells about rotation timing. */
export interface ScheduleTiming {
  /** The longest rotation window (hours) that fits this schedule. */
  readonly maxWindowHours: number;
}

const MIN_INTERVAL_HOURS = 4;
const MAX_INTERVAL_DAYS = 1000;

export function parseScheduleExpression(expression: string): ScheduleTiming {
  const rate = /^rate\((.*)\)$/.exec(expression);
  if (rate) return parseRate(rate[1], expression);
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) return parseCron(cron[1], expression);
  throw new PropError(`\`schedule\` must be rate(...) or cron(...), got "${expression}"`);
}

function parseRate(body: string, expression: string): ScheduleTiming {
  const match = /^\s*(\d+)\s+(hour|hours|day|days)\s*$/.exec(body);
  if (!match) {
    throw new PropError(`\`schedule\` rate must look like rate(N hours) or rate(N days), got "${expression}"`);
  }
  const value = Number(match[1]);
  const hours = match[2].startsWith('hour') ? value : value * 24;
  if (hours < MIN_INTERVAL_HOURS) {
    throw new PropError(`\`schedule\` must be at least ${MIN_INTERVAL_HOURS} hours, got "${expression}"`);
  }
  if (hours > MAX_INTERVAL_DAYS * 24) {
    throw new PropError(`\`schedule\` must be at most ${MAX_INTERVAL_DAYS} days, got "${expression}"`);
  }
  return { maxWindowHours: Math.min(hours, 24) };
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function parseCron(body: string, expression: string): ScheduleTiming {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new PropError(`\`schedule\` cron must have 6 fields (minute hour day month weekDay year), got ${fields.length} in "${expression}"`);
  }
  const [minute, hour, day, month, weekDay, year] = fields;
  if (minute !== '0') {
    throw new PropError(`\`schedule\` cron minute must be 0 (Secrets Manager rotates on the hour), got "${minute}" in "${expression}"`);
  }
  if (year !== '*') {
    throw new PropError(`\`schedule\` cron year must be *, got "${year}" in "${expression}"`);
  }
  if ((day === '?') === (weekDay === '?')) {
    throw new PropError(`\`schedule\` cron needs exactly one of day and weekDay to be ?, got day "${day}" and weekDay "${weekDay}" in "${expression}"`);
  }
  if (day !== '?') checkField('day', day, 1, 31, [], /^(L|LW|\d{1,2}W)$/, expression);
  checkField('month', month, 1, 12, MONTHS, undefined, expression);
  if (weekDay !== '?') checkField('weekDay', weekDay, 1, 7, WEEKDAYS, /^([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)(#[1-5]|L)$|^L$/, expression);
  const hours = expandField('hour', hour, 0, 23, [], expression);
  return { maxWindowHours: maxWindowForHours(hours, expression) };
}

/** Rotations start at each of `hours` (sorted); the window must end before the next one and by midnight. */
function maxWindowForHours(hours: number[], expression: string): number {
  let maxWindow = 24 - hours[hours.length - 1];
  for (let i = 1; i < hours.length; i++) {
    const gap = hours[i] - hours[i - 1];
    if (gap < MIN_INTERVAL_HOURS) {
      throw new PropError(`\`schedule\` must be at least ${MIN_INTERVAL_HOURS} hours apart, but "${expression}" rotates at ${hours[i - 1]}:00 and ${hours[i]}:00`);
    }
    maxWindow = Math.min(maxWindow, gap);
  }
  const wrap = hours[0] + 24 - hours[hours.length - 1];
  if (hours.length > 1 && wrap < MIN_INTERVAL_HOURS) {
    throw new PropError(`\`schedule\` must be at least ${MIN_INTERVAL_HOURS} hours apart, but "${expression}" rotates at ${hours[hours.length - 1]}:00 and ${hours[0]}:00 the next day`);
  }
  return maxWindow;
}

function checkField(name: string, field: string, min: number, max: number, names: string[], special: RegExp | undefined, expression: string) {
  for (const part of field.split(',')) {
    if (special?.test(part)) continue;
    expandPart(name, part, min, max, names, expression);
  }
}

function expandField(name: string, field: string, min: number, max: number, names: string[], expression: string): number[] {
  const values = new Set<number>();
  for (const part of field.split(',')) {
    for (const value of expandPart(name, part, min, max, names, expression)) values.add(value);
  }
  return [...values].sort((a, b) => a - b);
}

/** Expands one list element: `*`, `N`, `A-B`, with an optional `/step`. */
function expandPart(name: string, part: string, min: number, max: number, names: string[], expression: string): number[] {
  const bad = () => new PropError(`\`schedule\` cron ${name} field has an invalid value "${part}" in "${expression}"`);
  const [range, stepText, ...rest] = part.split('/');
  if (rest.length > 0 || range === '') throw bad();
  const step = stepText === undefined ? 1 : Number(stepText);
  if (!Number.isInteger(step) || step < 1) throw bad();
  let from: number;
  let to: number;
  if (range === '*') {
    from = min;
    to = max;
  } else {
    const [a, b, ...more] = range.split('-');
    if (more.length > 0) throw bad();
    from = parseValue(a, min, max, names, bad);
    to = b === undefined ? (stepText === undefined ? from : max) : parseValue(b, min, max, names, bad);
    if (to < from) throw bad();
  }
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}

function parseValue(text: string, min: number, max: number, names: string[], bad: () => Error): number {
  const named = names.indexOf(text.toUpperCase());
  const value = named >= 0 ? named + min : /^\d{1,2}$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(value) || value < min || value > max) throw bad();
  return value;
}
