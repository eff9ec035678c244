/** `npm run bench:readme`: rewrites README.md's generated "Measured" block from bench/results.json. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readmeBlock, rewriteMeasured } from './readme';
import { benchResultsSchema } from './results';

const root = join(__dirname, '..');

/** Reads and checks bench/results.json, then rewrites the README block; returns the README path. */
export function writeReadme(resultsPath = join(root, 'bench', 'results.json')): string {
  const results = benchResultsSchema.parse(JSON.parse(readFileSync(resultsPath, 'utf8')));
  const readmePath = join(root, 'README.md');
  writeFileSync(readmePath, rewriteMeasured(readFileSync(readmePath, 'utf8'), readmeBlock(results)));
  return readmePath;
}

if (require.main === module) {
  try {
    process.stdout.write(`rewrote the bench block of ${writeReadme()}\n`);
  } catch (error) {
    process.stderr.write(`bench:readme failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
