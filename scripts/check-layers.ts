// Dependency-direction check, run by `npm run check:layers` (and by `npm test`).
// Each top-level folder is a layer; a layer may only import the layers declared
// below it, so that low-level code (lib, config, redis, store...) never reaches up
// into workers or the HTTP app, and folders never form import cycles.
// To change the architecture, edit LAYERS / ALLOWED / ISOLATED / ENTRY_FOLDERS below.
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import * as ts from 'typescript';

/**
 * The layer order, highest first. A layer may import its own folder and any layer
 * on a LOWER line; layers on the same line are peers and must not import each other.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['app'],
  ['workers'],
  ['actions', 'robots', 'activities'],
  ['waits'],
  ['lines', 'portals', 'hooks', 'openlines'],
  ['queues'],
  ['bitrix', 'providers'],
  ['store'],
  ['redis'],
  ['config'],
  ['lib'],
  ['simulators'],
];
/** Extra edges [importer, imported] allowed on top of LAYERS (also for isolated layers). */
export const ALLOWED: readonly (readonly [string, string])[] = [
  ['robots', 'actions'],
  ['activities', 'actions'],
  ['simulators', 'lib'],
];
/** Layers outside the stack: they import and are imported only through ALLOWED edges (tests and entry points excepted). */
export const ISOLATED: readonly string[] = ['simulators'];
/** Composition roots: may import anything; only other entry points (and tests) may import them. Plus every `main.ts`. */
export const ENTRY_FOLDERS: readonly string[] = ['runtime', 'cli', 'demo', 'scripts', 'bench'];
/**
 * Not server layers: `web/` is the settings page's browser code, built by Vite into web/dist and
 * served as files (it imports only npm packages and itself; the server never imports it).
 */
export const EXCLUDED_FOLDERS: readonly string[] = ['web', 'test', 'node_modules'];

export interface FileImports {
  /** Path relative to the repo root, with '/' separators, e.g. 'waits/wait-store.ts'. */
  file: string;
  imports: { spec: string; line: number }[];
}
export interface Violation {
  file: string;
  line: number;
  from: string;
  to: string;
  spec: string;
  why: string;
}

const layerOf = (path: string): string => path.split('/')[0] ?? '';
const isEntry = (path: string): boolean =>
  ENTRY_FOLDERS.includes(layerOf(path)) || posix.basename(path).replace(/\.[cm]?[jt]s$/, '') === 'main';
const rank = new Map(LAYERS.flatMap((row, i) => row.map((layer) => [layer, i] as const)));
const allowed = new Set(ALLOWED.map(([a, b]) => `${a}>${b}`));

/** Why `from` may not import `to` (both non-entry layers), or null when it may. */
function ruleBroken(from: string, to: string): string | null {
  if (from === to || allowed.has(`${from}>${to}`)) return null;
  const [rf, rt] = [rank.get(from), rank.get(to)];
  if (rf === undefined) return `'${from}' is not a declared layer (add it to LAYERS)`;
  if (rt === undefined) return `'${to}' is not a declared layer (add it to LAYERS)`;
  if (ISOLATED.includes(from))
    return `${from} is isolated: it may import only ${
      ALLOWED.filter(([a]) => a === from)
        .map(([, b]) => b)
        .join(', ') || 'itself'
    }`;
  if (ISOLATED.includes(to)) return `${to} is isolated: only tests and entry points may import it`;
  if (rf === rt) return `${from} and ${to} are peers and must not import each other`;
  if (rt < rf) return `upward import: ${to} is above ${from}`;
  return null;
}

/** Pure check: every order violation, then every folder-level cycle among non-entry files. */
export function checkLayers(files: readonly FileImports[]): Violation[] {
  const violations: Violation[] = [];
  // folder graph of non-entry files: from -> to -> first import that created the edge
  const edges = new Map<string, Map<string, Violation>>();
  for (const { file, imports } of files) {
    const from = layerOf(file);
    if (isEntry(file)) continue;
    for (const { spec, line } of imports) {
      if (!spec.startsWith('.')) continue;
      const target = posix.normalize(posix.join(posix.dirname(file), spec));
      if (target.startsWith('..') || !target.includes('/')) continue; // outside the layers (e.g. package.json)
      const to = layerOf(target);
      const at = { file, line, from, to, spec };
      if (isEntry(target)) {
        violations.push({ ...at, why: `imports an entry point (${target}); only entry points and tests may` });
        continue;
      }
      const why = ruleBroken(from, to);
      if (why) violations.push({ ...at, why });
      if (from !== to) {
        const out = edges.get(from) ?? new Map<string, Violation>();
        edges.set(from, out);
        if (!out.has(to)) out.set(to, { ...at, why: '' });
      }
    }
  }
  for (const scc of stronglyConnected(edges)) {
    if (scc.length < 2) continue;
    const inCycle = [...scc]
      .sort()
      .flatMap((a) =>
        [...(edges.get(a) ?? new Map<string, Violation>()).entries()]
          .filter(([b]) => scc.includes(b))
          .map(([b, v]) => ({ a, b, v })),
      );
    const first = inCycle[0]?.v;
    if (!first) continue;
    const list = inCycle.map(({ a, b, v }) => `${a} → ${b} (${v.file}:${v.line})`).join(', ');
    violations.push({ ...first, why: `folder cycle {${[...scc].sort().join(', ')}}: ${list}` });
  }
  return violations;
}

/** Tarjan's algorithm over the folder graph. */
function stronglyConnected(edges: Map<string, Map<string, unknown>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const result: string[][] = [];
  // Every vertex read below was set on its visit, so the fallbacks never apply.
  const indexOf = (v: string) => index.get(v) ?? 0;
  const lowOf = (v: string) => low.get(v) ?? 0;
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, indexOf(v));
    stack.push(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(lowOf(v), lowOf(w)));
      } else if (stack.includes(w)) low.set(v, Math.min(lowOf(v), indexOf(w)));
    }
    if (lowOf(v) === indexOf(v)) {
      const scc: string[] = [];
      for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) scc.push(w);
      result.push(scc);
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return result;
}

/** Every .ts file under the source folders, with its import specifiers (static, type-only, dynamic, require). */
export function collect(root: string): FileImports[] {
  const folders = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !EXCLUDED_FOLDERS.includes(d.name))
    .map((d) => d.name);
  const files = folders
    .flatMap((f) => readdirSync(join(root, f), { recursive: true, encoding: 'utf8' }).map((p) => join(root, f, p)))
    .filter((p) => p.endsWith('.ts'))
    .sort();
  return files.map((path) => {
    const text = readFileSync(path, 'utf8');
    const imports = ts.preProcessFile(text, true, true).importedFiles.map((ref) => ({
      spec: ref.fileName,
      line: text.slice(0, ref.pos).split('\n').length,
    }));
    return { file: relative(root, path).split('\\').join('/'), imports };
  });
}

function main(): void {
  const files = collect(join(__dirname, '..'));
  const violations = checkLayers(files);
  for (const v of violations) console.log(`${v.file}:${v.line}  ${v.from} → ${v.to}  (import '${v.spec}')  ${v.why}`);
  const count = files.reduce((n, f) => n + f.imports.filter((i) => i.spec.startsWith('.')).length, 0);
  if (violations.length > 0) {
    const inFiles = new Set(violations.map((v) => v.file)).size;
    console.log(
      `layers FAILED: ${violations.length} violation(s) in ${inFiles} file(s) — see LAYERS in scripts/check-layers.ts`,
    );
    process.exit(1);
  }
  console.log(`layers ok: ${files.length} files, ${count} imports`);
}

if (require.main === module) main();
