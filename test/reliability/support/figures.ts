import { appendFileSync } from 'node:fs';

/** Figures one suite measured, e.g. `{ boundaries: 14, trials: 28, converged: 28 }`. */
export type Figures = Readonly<Record<string, number | string>>;

/**
 * Prints a suite's figures as one line (`[reliability] <suite> {...}`). With RELIABILITY_FIGURES set to a
 * file path, also appends them there as a JSON line, for docs/RELIABILITY.md.
 */
export function reportFigures(suite: string, figures: Figures): void {
  const line = JSON.stringify({ suite, ...figures });
  // eslint-disable-next-line no-console
  console.log(`[reliability] ${line}`);
  const file = process.env.RELIABILITY_FIGURES;
  if (file) appendFileSync(file, `${line}\n`);
}
