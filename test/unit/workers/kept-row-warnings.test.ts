import { UNREADABLE_RECHECK_MS } from '../../../workers/callback-row';
import { createKeptRowWarnings, KEPT_WARN_EVERY_MS } from '../../../workers/kept-row-warnings';

describe('warnings about kept callback rows', () => {
  /** Looks at `rows` kept rows in turn, one pass per recheck period; returns the warnings per pass. */
  function lookInTurn(o: { rows: number; cap: number; passes: number; startMs?: number }) {
    const warnings = createKeptRowWarnings({ rememberedRows: o.cap });
    const perPass: number[] = [];
    for (let pass = 0; pass < o.passes; pass += 1) {
      const nowMs = (o.startMs ?? 0) + pass * UNREADABLE_RECHECK_MS;
      let warned = 0;
      for (let row = 0; row < o.rows; row += 1) if (warnings.levelFor('m1', `r${row}`, nowMs) === 'warn') warned += 1;
      perPass.push(warned);
    }
    return perPass;
  }
  // Passes within one period (the first at 0, the last before KEPT_WARN_EVERY_MS).
  const passesInPeriod = Math.ceil(KEPT_WARN_EVERY_MS / UNREADABLE_RECHECK_MS);

  it('warns once per row and period while the rows fit', () => {
    const perPass = lookInTurn({ rows: 2, cap: 3, passes: passesInPeriod + 1 });
    expect(perPass).toEqual([2, ...Array<number>(passesInPeriod - 1).fill(0), 2]);
  });

  it('exactly at the cap, a row looked at again within its period is not warned again', () => {
    const perPass = lookInTurn({ rows: 3, cap: 3, passes: passesInPeriod });
    expect(perPass).toEqual([3, ...Array<number>(passesInPeriod - 1).fill(0)]);
  });

  it('beyond the cap, the rows it remembers stay remembered and the others log at debug', () => {
    const perPass = lookInTurn({ rows: 5, cap: 3, passes: passesInPeriod });
    // At most the cap's warnings a period, however many rows are kept.
    expect(perPass).toEqual([3, ...Array<number>(passesInPeriod - 1).fill(0)]);
  });

  it('makes room once remembered rows are past their period', () => {
    const warnings = createKeptRowWarnings({ rememberedRows: 1 });
    expect(warnings.levelFor('m1', 'r1', 0)).toBe('warn');
    expect(warnings.levelFor('m1', 'r2', 1)).toBe('over_cap');
    expect(warnings.levelFor('m1', 'r2', KEPT_WARN_EVERY_MS)).toBe('warn');
    expect(warnings.levelFor('m1', 'r1', KEPT_WARN_EVERY_MS + 1)).toBe('over_cap');
  });

  it('says once a period that rows past the cap go unwarned, never silently', () => {
    const warnings = createKeptRowWarnings({ rememberedRows: 2 });
    const pass = (nowMs: number) => ['r1', 'r2', 'r3', 'r4'].map((row) => warnings.levelFor('m1', row, nowMs));
    expect(warnings.cap).toBe(2);
    expect(pass(0)).toEqual(['warn', 'warn', 'over_cap', 'debug']);
    // Looked at again within the period: nothing more is said, about the rows or the cap.
    expect(pass(UNREADABLE_RECHECK_MS)).toEqual(['debug', 'debug', 'debug', 'debug']);
    // A period later the remembered rows are forgotten and warned about again, and so is the cap.
    expect(pass(KEPT_WARN_EVERY_MS)).toEqual(['warn', 'warn', 'over_cap', 'debug']);
  });

  it('says the cap again after the clock stepped back, not an hour of silence per step', () => {
    const warnings = createKeptRowWarnings({ rememberedRows: 1 });
    const tenHours = 10 * 3600_000;
    expect(warnings.levelFor('m1', 'r1', tenHours)).toBe('warn');
    expect(warnings.levelFor('m1', 'r2', tenHours)).toBe('over_cap');
    // A clock that ran ahead and was set right: the cap was said "in the future", so it is said again.
    expect(warnings.levelFor('m1', 'r2', tenHours - 60_000)).toBe('over_cap');
    expect(warnings.levelFor('m1', 'r2', tenHours - 59_000)).toBe('debug');
  });
});
