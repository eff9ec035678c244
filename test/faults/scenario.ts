/** One fault scenario of `npm run test:faults`: runs the real processes, prints its counts, throws when a check fails. */
export interface Scenario {
  name: string;
  run(say: (line: string) => void): Promise<void>;
}

/** Collects every failed check of a scenario, so one run reports all of them. */
export class Checks {
  private readonly failed: string[] = [];

  check(ok: boolean, what: string): void {
    if (!ok) this.failed.push(what);
  }

  /** Throws with every failed check (and the processes' last output, when given). */
  settle(outputs?: () => string): void {
    if (this.failed.length === 0) return;
    const detail = outputs ? `\n${outputs()}` : '';
    throw new Error(`${this.failed.length} check(s) failed:\n  - ${this.failed.join('\n  - ')}${detail}`);
  }
}

/** "12 (3, 4, 5)" style: a total and its parts. */
export const withParts = (parts: number[]) => `${parts.reduce((a, b) => a + b, 0)} (${parts.join(', ')})`;

/** A few items of a list, for a failure message. */
export const some = (items: Array<string | number>, n = 10) =>
  `${items.slice(0, n).join(', ')}${items.length > n ? `, … ${items.length - n} more` : ''}`;
