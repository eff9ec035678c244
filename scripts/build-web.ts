// Builds and type-checks the settings page (web/ → web/dist) when it is missing or older than its
// sources: run by `npm install` (prepare) and before start, the demo and the tests, so a fresh
// checkout needs nothing else. `--force` always builds (`npm run build:web`: CI, images).
// `--lenient` (prepare, prestart): a failed build or type check keeps the page that is there and
// never stops the install or the start; otherwise it fails the command.
// Each run builds into its own directory and swaps it in when it passed: an existing web/dist is
// never deleted by a failed build, and two processes starting at once never write into one dir.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const web = join(__dirname, '..', 'web');
const dist = join(web, 'dist');
const built = join(dist, 'index.html');
const force = process.argv.includes('--force');
const lenient = process.argv.includes('--lenient');

/** Newest modification time under `dir` (sources only). */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'dist-tmp' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** Ends the run: a failure stops the command unless lenient (then the page already there is served). */
function fail(message: string): never {
  const kept = existsSync(built) ? 'the existing web/dist is kept' : 'the page answers 503 until it is built';
  process.stdout.write(`settings page: ${message}; ${kept}\n`);
  process.exit(lenient ? 0 : 1);
}

try {
  require.resolve('vite');
} catch {
  // An install without dev dependencies (npm ci --omit=dev): build web/dist before (README, Production).
  if (existsSync(built)) process.exit(0);
  fail('vite is not installed (dev dependencies): run npm run build:web where they are, before --omit=dev');
}
if (!force && existsSync(built) && statSync(built).mtimeMs >= newest(web)) {
  process.stdout.write('settings page is up to date (web/dist)\n');
  process.exit(0);
}
const tmpRoot = join(web, 'dist-tmp');
const out = join(tmpRoot, `build-${process.pid}`);
mkdirSync(tmpRoot, { recursive: true });
const discard = (path: string) => rmSync(path, { recursive: true, force: true });
process.stdout.write('building the settings page (web/dist)…\n');
const build = spawnSync(
  'npx',
  ['vite', 'build', '--config', join(web, 'vite.config.mts'), '--outDir', out, '--emptyOutDir'],
  { stdio: 'inherit' },
);
if (build.status !== 0) {
  discard(out);
  fail('the build failed (see above)');
}
// Type-checked after the build: the UI kit's plugin writes the component and auto-import
// declarations the check reads (portal-ui-wire.md §3).
const check = spawnSync('npx', ['vue-tsc', '--noEmit', '-p', join(web, 'tsconfig.json')], { stdio: 'inherit' });
if (check.status !== 0) {
  discard(out);
  fail('type errors (see above), the new build is discarded');
}
// Swap: the old page aside, the new one in (two renames on one file system), the old one gone.
const old = join(tmpRoot, `old-${process.pid}`);
try {
  renameSync(dist, old);
} catch {
  // No page yet, or another run moved it meanwhile.
}
try {
  renameSync(out, dist);
} catch {
  // Another run put its fresh build in first: that one is served.
  discard(out);
}
discard(old);
process.stdout.write('settings page built (web/dist)\n');
