// Builds and type-checks the settings page (web/ → web/dist) when it is missing or older than its sources: run by
// `npm install` (prepare) and before start, the demo and the tests, so a fresh checkout needs
// nothing else. `--force` always builds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const web = join(__dirname, '..', 'web');
const built = join(web, 'dist', 'index.html');

/** Newest modification time under `dir` (sources only). */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const force = process.argv.includes('--force');
try {
  require.resolve('vite');
} catch {
  // An install without dev dependencies (npm ci --omit=dev): the page answers 503 until it is built elsewhere.
  process.stdout.write('vite is not installed: the settings page is not built (install dev dependencies)\n');
  process.exit(0);
}
if (!force && existsSync(built) && statSync(built).mtimeMs >= newest(web)) {
  process.stdout.write('settings page is up to date (web/dist)\n');
  process.exit(0);
}
process.stdout.write('building the settings page (web/dist)…\n');
const build = spawnSync('npx', ['vite', 'build', '--config', join(web, 'vite.config.mts')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
// Type-checked after the build: the UI kit's plugin writes the component and auto-import
// declarations the check reads (portal-ui-wire.md §3). A type error fails the build and removes it.
const check = spawnSync('npx', ['vue-tsc', '--noEmit', '-p', join(web, 'tsconfig.json')], { stdio: 'inherit' });
if (check.status !== 0) {
  rmSync(join(web, 'dist'), { recursive: true, force: true });
  process.stdout.write('settings page: type errors (see above); web/dist removed\n');
}
process.exit(check.status ?? 1);
