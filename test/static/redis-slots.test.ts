import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import calculateSlot from 'cluster-key-slot';
import fc from 'fast-check';
import * as ts from 'typescript';
import { createKeys } from '../../redis/keys';

/**
 * Redis Cluster runs a script or a MULTI only when all its keys hash to one slot. This reads the
 * source: every `scripts.<wrapper>(…)` call site and every `.multi()`/`.pipeline()…exec()` chain, finds which
 * redis/keys.ts builder makes each key it passes, and checks those keys share a slot for arbitrary
 * member ids and ids (with both the production prefix and a test one).
 */
const root = join(__dirname, '..', '..');
const builders = createKeys('wa') as unknown as Record<string, unknown>;
const builderNames = new Set(Object.keys(builders).filter((name) => typeof builders[name] === 'function'));
/** Pub/sub channels are no keys: they may sit in a MULTI beside anything. */
const channels = new Set(['callbackWake']);
const scriptsFiles = [join('redis', 'scripts.ts'), join('redis', 'wait-scripts.ts')];

let parsed: ts.SourceFile[] | undefined;

/** Every .ts source file outside test/ and node_modules, parsed once. */
function sourceFiles(): ts.SourceFile[] {
  parsed ??= readSources();
  return parsed;
}

function readSources(): ts.SourceFile[] {
  const folders = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !['node_modules', 'test'].includes(d.name))
    .map((d) => d.name);
  return folders
    .flatMap((f) => readdirSync(join(root, f), { recursive: true, encoding: 'utf8' }).map((p) => join(root, f, p)))
    .filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'))
    .map((p) => ts.createSourceFile(relative(root, p), readFileSync(p, 'utf8'), ts.ScriptTarget.ES2022, true));
}

function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  ts.forEachChild(node, (child) => walk(child, visit));
}

const where = (node: ts.Node) =>
  `${node.getSourceFile().fileName}:${node.getSourceFile().getLineAndCharacterOfPosition(node.getStart()).line + 1}`;

/** The wrapper methods of `scripts` (redis/scripts.ts, and redis/wait-scripts.ts imported as `scripts`): which parameters are keys, which script each runs. */
function wrappers(): Map<string, { keyParams: number[]; script: string }> {
  const files = sourceFiles().filter((f) => scriptsFiles.includes(f.fileName));
  if (files.length !== scriptsFiles.length) throw new Error(`${scriptsFiles.join(', ')} not all found`);
  const out = new Map<string, { keyParams: number[]; script: string }>();
  for (const file of files)
    walk(file, (node) => {
      if (!ts.isMethodDeclaration(node) || !ts.isObjectLiteralExpression(node.parent)) return;
      const name = node.name.getText();
      const keyParams = node.parameters
        .map((p, i) => (/^keys?$|Key$/.test(p.name.getText()) ? i : -1))
        .filter((i) => i >= 0);
      const script = /run\(\s*redis,\s*'([a-z0-9-]+)'/.exec(node.getText())?.[1] ?? '';
      out.set(name, { keyParams, script });
    });
  return out;
}

/** The declaration of `name` nearest before `at` in the same file (the variable a call passes). */
function resolveIdentifier(name: string, at: ts.Node): ts.Expression | undefined {
  let found: ts.Expression | undefined;
  walk(at.getSourceFile(), (node) => {
    if (ts.isVariableDeclaration(node) && node.name.getText() === name && node.initializer && node.end <= at.pos)
      found = node.initializer;
  });
  return found;
}

/** The builder names behind a key expression: a builder call, an object of them, or a variable holding either. */
function buildersOf(expression: ts.Expression, depth = 0): string[] {
  if (depth > 4) throw new Error(`${where(expression)}: key expression nests too deep`);
  if (ts.isObjectLiteralExpression(expression))
    return expression.properties.flatMap((p) => {
      if (ts.isPropertyAssignment(p)) return buildersOf(p.initializer, depth + 1);
      if (ts.isShorthandPropertyAssignment(p)) return buildersOf(p.name, depth + 1);
      throw new Error(`${where(p)}: cannot read key ${p.getText()}`);
    });
  if (ts.isIdentifier(expression)) {
    const initializer = resolveIdentifier(expression.text, expression);
    if (!initializer) throw new Error(`${where(expression)}: cannot find where key ${expression.text} is made`);
    return buildersOf(initializer, depth + 1);
  }
  if (ts.isCallExpression(expression) && ts.isPropertyAccessExpression(expression.expression)) {
    const name = expression.expression.name.text;
    if (builderNames.has(name)) return [name];
  }
  throw new Error(`${where(expression)}: key ${expression.getText()} is not made by a redis/keys.ts builder`);
}

interface Site {
  at: string;
  builders: string[];
}

function scriptCallSites(
  known: Map<string, { keyParams: number[]; script: string }>,
): Array<Site & { script: string }> {
  const sites: Array<Site & { script: string }> = [];
  for (const file of sourceFiles()) {
    walk(file, (node) => {
      if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return;
      if (node.expression.expression.getText() !== 'scripts') return;
      const wrapper = known.get(node.expression.name.text);
      if (!wrapper) throw new Error(`${where(node)}: scripts.${node.expression.name.text} is not a wrapper`);
      const keyArgs = wrapper.keyParams.map((i) => node.arguments[i]);
      const names = keyArgs.flatMap((arg) => (arg ? buildersOf(arg) : []));
      sites.push({ at: where(node), builders: names, script: wrapper.script });
    });
  }
  return sites;
}

const batchStarts = new Set(['multi', 'pipeline']);

/** True for `x.multi()` / `x.pipeline()` (ioredis: on a cluster, both need one slot). */
function startsBatch(node: ts.Node): node is ts.CallExpression {
  return (
    ts.isCallExpression(node) &&
    ts.isPropertyAccessExpression(node.expression) &&
    batchStarts.has(node.expression.name.text)
  );
}

/** The outermost call of the method chain `node` starts (`x.multi().set(…).exec()` → the exec call). */
function chainEnd(node: ts.CallExpression): ts.CallExpression {
  let end = node;
  while (ts.isPropertyAccessExpression(end.parent) && ts.isCallExpression(end.parent.parent)) end = end.parent.parent;
  return end;
}

/** MULTI and pipeline chains: the builders of each command's first argument (its key). */
function multiSites(): Site[] {
  const sites: Site[] = [];
  for (const file of sourceFiles()) {
    walk(file, (start) => {
      if (!startsBatch(start)) return;
      const node = chainEnd(start);
      if (!ts.isPropertyAccessExpression(node.expression) || node.expression.name.text !== 'exec')
        throw new Error(
          `${where(start)}: write a MULTI or pipeline as one chain ending in .exec() (so its keys are checked)`,
        );
      const names: string[] = [];
      let link: ts.Expression = node.expression.expression;
      while (ts.isCallExpression(link) && ts.isPropertyAccessExpression(link.expression)) {
        const command = link.expression.name.text;
        const key = link.arguments[0];
        if (batchStarts.has(command)) break;
        if (!key) throw new Error(`${where(link)}: ${command} in a MULTI without a key`);
        names.push(...buildersOf(key).filter((n) => !channels.has(n)));
        link = link.expression.expression;
      }
      sites.push({ at: where(node), builders: names });
    });
  }
  return sites;
}

/** Every builder's key for one member and one id (portal builders take the member id first). */
function slotsOf(prefix: string, names: string[], memberId: string, id: string): number[] {
  const keys = createKeys(prefix) as unknown as Record<string, (a: string, b: string) => string>;
  return names.map((name) => {
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
  const sites = scriptCallSites(known);

  it('finds every script wrapper, each running a script of redis/lua', () => {
    expect(known.size).toBeGreaterThanOrEqual(15);
    for (const [name, wrapper] of known) expect({ name, script: wrapper.script }).toMatchObject({ script: /.+-\d$/ });
  });

  it('every script call site passes keys made by redis/keys.ts builders, all in one slot', () => {
    expect(sites.length).toBeGreaterThanOrEqual(15);
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
