/**
 * `npm run test:faults`: the fault scenarios, one after another, each against the real processes
 * (web and workers as `node --import tsx`, a throw-away redis-server with AOF, the simulators in
 * this process, everything on 127.0.0.1). Prints each scenario's counts and ends with the plain
 * line "N passed, N failed". `npm run test:faults -- kill` runs the scenarios whose name matches.
 */
import { errorMessage } from '../../lib/errors/classify-error';
import { killWorkers } from './kill-workers';
import { redisRestart } from './redis-restart';
import type { Scenario } from './scenario';
import { providerStorm } from './storm';

const scenarios: Scenario[] = [killWorkers, redisRestart, providerStorm];

async function main(): Promise<number> {
  const filter = process.argv.slice(2).join(' ').toLowerCase();
  let passed = 0;
  let failed = 0;
  for (const scenario of scenarios.filter((s) => s.name.toLowerCase().includes(filter))) {
    const started = Date.now();
    process.stdout.write(`\n▶ ${scenario.name}\n`);
    try {
      await scenario.run((line) => process.stdout.write(`    ${line}\n`));
      passed += 1;
      process.stdout.write(`✓ passed in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    } catch (error) {
      failed += 1;
      process.stdout.write(`✗ FAILED in ${((Date.now() - started) / 1000).toFixed(1)} s: ${errorMessage(error)}\n`);
    }
  }
  if (passed + failed === 0) failed = 1;
  process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stdout.write(`\n${errorMessage(error)}\n0 passed, 1 failed\n`);
    process.exit(1);
  },
);
