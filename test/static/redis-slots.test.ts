import calculateSlot from 'cluster-key-slot';
import fc from 'fast-check';
import * as ts from 'typescript';
import { createKeys } from '../../redis/keys';
import {
  directRunSites,
  multiSites,
  type Site,
  scriptCallSites,
  scriptsFiles,
  sourceFiles,
  walk,
  where,
  wrappers,
} from './slot-sites';

/**
 * Redis Cluster runs a script or a MULTI only when all its keys hash to one slot. slot-sites.ts
 * reads the source: every script wrapper call site (`scripts.x(…)`, `waitScripts.x(…)`, however
 * imported; `run(redis, …)` called directly) and every `.multi()`/`.pipeline()…exec()` chain, and which redis/keys.ts builder makes
 * each key it passes; this checks those keys share a slot for arbitrary member ids and ids (with
 * both the production prefix and a test one).
 */
/** Every builder's key for one member and one id (portal builders take the member id first). */
function slotsOf(prefix: string, names: string[], memberId: string, id: string): number[] {
  const keys = createKeys(prefix) as unknown as Record<string, (a: string, b: string) => string>;
  // `a|b`: one key made by either builder (slot-sites.ts), each of which must share the slot.
  return names
    .flatMap((name) => name.split('|'))
    .map((name) => {
      const build = keys[name];
      if (!build) throw new Error(`no builder ${name}`);
      return calculateSlot(build(memberId, id));
    });
}

const memberIds = fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), fc.string({ minLength: 1, maxLength: 40 }));
const ids = fc.string({ minLength: 1, maxLength: 40 });

function expectOneSlot(site: Site): void {
  fc.assert(
    fc.property(memberIds, ids, (memberId, id) => {
      for (const prefix of ['wa', 'tAbC1']) {
        const slots = new Set(slotsOf(prefix, site.builders, memberId, id));
        if (slots.size > 1) throw new Error(`${site.at}: keys ${site.builders.join(', ')} span ${slots.size} slots`);
      }
    }),
    { numRuns: 200, includeErrorInReport: true },
  );
}

describe('Redis Cluster: the keys of each script and transaction share one slot', () => {
  const known = wrappers();
  const sites = [...scriptCallSites(known), ...directRunSites()];

  it('finds every script wrapper, each running a script of redis/lua', () => {
    // Every redis/*-scripts.ts file's object is found (more may come).
    expect([...known.keys()]).toEqual(
      expect.arrayContaining(['hookScripts', 'scripts', 'waitScripts', 'windowScripts']),
    );
    const all = [...known.values()].flatMap((methods) => [...methods]);
    expect(all.length).toBeGreaterThanOrEqual(15);
    for (const [name, wrapper] of all) expect({ name, script: wrapper.script }).toMatchObject({ script: /.+-\d$/ });
  });

  it('every script call site passes keys made by redis/keys.ts builders, all in one slot', () => {
    expect(sites.length).toBeGreaterThanOrEqual(15);
    // Each kind of site is found: wrappers of each object, a HookEmit's keys, `run` called directly.
    const scriptsSeen = [...new Set(sites.map((site) => site.script.replace(/-\d+$/, '')))];
    for (const script of ['wait-end', 'wait-open', 'hook-emit', 'window-note', 'open-line-claim'])
      expect({ script, found: scriptsSeen.includes(script) }).toEqual({ script, found: true });
    for (const site of sites) {
      expect({ at: site.at, keys: site.builders.length }).toEqual({
        at: site.at,
        keys: Number(site.script.slice(site.script.lastIndexOf('-') + 1)),
      });
      expectOneSlot(site);
    }
  });

  it('every MULTI and pipeline keeps its keys in one slot (global keys go in their own commands)', () => {
    const multis = multiSites();
    expect(multis.length).toBeGreaterThan(0);
    for (const site of multis) expectOneSlot(site);
  });

  it('no Lua runs outside redis/scripts.ts (so the check above sees every script)', () => {
    const inline: string[] = [];
    for (const file of sourceFiles()) {
      walk(file, (node) => {
        if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return;
        const name = node.expression.name.text;
        if (
          /^(eval|evalsha|eval_ro|evalsha_ro|fcall|defineCommand)$/i.test(name) &&
          !scriptsFiles.includes(file.fileName)
        )
          inline.push(where(node));
      });
    }
    expect(inline).toEqual([]);
  });

  it('a global key beside a portal key is caught', () => {
    const mixed = { at: 'example', builders: ['callbackPending', 'callbackPortals'] };
    expect(() => expectOneSlot(mixed)).toThrow(/span 2 slots/);
    expect(() => expectOneSlot({ at: 'example', builders: ['wait', 'lineByNumber'] })).toThrow(/span 2 slots/);
  });
});

describe('the call-site finder itself', () => {
  const parse = (name: string, text: string) => ts.createSourceFile(name, text, ts.ScriptTarget.ES2022, true);
  const known = wrappers();

  it('finds a wrapper call under its exported name and under an alias, and a bad key in it is caught', () => {
    const file = parse(
      'waits/example.ts',
      [
        "import { waitScripts } from '../redis/wait-scripts';",
        "import { waitScripts as ws } from '../redis/wait-scripts';",
        "const keys = createKeys('wa');",
        'waitScripts.openWait(redis, { wait: keys.wait(m, id), index: keys.lineByNumber(n), open: keys.openWaits(m) }, args);',
        'ws.openWait(redis, { wait: keys.wait(m, id), index: keys.waitIndex(m), open: keys.openWaits(m) }, args);',
      ].join('\n'),
    );
    const sites = scriptCallSites(known, [file]);
    expect(sites.map((s) => [s.at, s.script])).toEqual([
      ['waits/example.ts:4', 'wait-open-3'],
      ['waits/example.ts:5', 'wait-open-3'],
    ]);
    expect(() => expectOneSlot(sites[0] as Site)).toThrow(/example.ts:4: keys wait, lineByNumber, openWaits span/);
    expect(() => expectOneSlot(sites[1] as Site)).not.toThrow();
  });

  it('refuses a wrapper object used other than by a direct call, and a method that is no wrapper', () => {
    const aliased = parse(
      'waits/aliased.ts',
      "import { waitScripts } from '../redis/wait-scripts';\nconst s = waitScripts;\ns.openWait(redis, k, a);",
    );
    expect(() => scriptCallSites(known, [aliased])).toThrow(/aliased.ts:2: call waitScripts.<wrapper>/);
    const unknown = parse(
      'waits/unknown.ts',
      "import { scripts } from '../redis/scripts';\nscripts.openWait(r, k, a);",
    );
    expect(() => scriptCallSites(known, [unknown])).toThrow(/scripts.openWait is not a wrapper of scripts/);
  });

  // review-s20-fix1.md nit 1: dropping either branch of a `?:` key would let its key through unchecked.
  /** customer-window-store's read, its `steps` key written as given. */
  const readWindow = (steps: string) =>
    parse(
      'store/example.ts',
      [
        "import { windowScripts } from '../redis/window-scripts';",
        `windowScripts.readWindow(redis, { window: keys.customerWindow(m, l, c), waId: keys.customerWaId(m, l, c), tracking: keys.windowTracking(m), otherWindow: keys.customerWindow(m, l, o), steps: ${steps} }, args);`,
      ].join('\n'),
    );

  it('reads both branches of a ?: key, and a global key in either is caught', () => {
    const [good] = scriptCallSites(known, [readWindow('k ? keys.sentStep(m, k) : keys.windowTracking(m)')]);
    expect(good?.builders).toEqual([
      'customerWindow',
      'customerWaId',
      'windowTracking',
      'customerWindow',
      'sentStep|windowTracking',
    ]);
    expect(() => expectOneSlot(good as Site)).not.toThrow();
    for (const [a, b] of [
      ['keys.sentStep(m, k)', 'keys.callbackPortals()'],
      ['keys.callbackPortals()', 'keys.sentStep(m, k)'],
    ]) {
      const [site] = scriptCallSites(known, [readWindow(`k ? ${a} : ${b}`)]);
      expect(site?.builders).toHaveLength(5);
      expect(() => expectOneSlot(site as Site)).toThrow(/example.ts:2: keys .* span 2 slots/);
    }
  });

  it('refuses a ?: key whose branch is more than one key', () => {
    const either = 'k ? keys.windowTracking(m) : { a: keys.sentStep(m, k), b: keys.wait(m, k) }';
    expect(() => scriptCallSites(known, [readWindow(either)])).toThrow(/example.ts:2: each branch must be one key/);
  });

  it('refuses one wrapper name in two wrapper objects', () => {
    const files = scriptsFiles.map((name, i) =>
      parse(name, `export const o${i} = { async same(redis, keys) { return run(redis, 'x-1', [keys.a], []); } };`),
    );
    expect(() => wrappers(files)).toThrow(/wrapper same is also a method of o0/);
  });
});
