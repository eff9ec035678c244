import { createRequire } from 'node:module';
import { z } from 'zod';

// One read of the config for both checks; a field that is absent fails its own test, not the file.
const config = z
  .object({ workerGracefulExitTimeout: z.number().optional(), workerIdleMemoryLimit: z.string().optional() })
  .parse(createRequire(__filename)('../../jest.config.js'));

/**
 * How long jest lets a worker exit after the run. Measured on the 2-core machine while a bench ran
 * (the five callback test files together): a worker with nothing left open reached its 'exit' event
 * within milliseconds of being told to end, then took 270–600 ms more to unmap its heap, past
 * jest's default 500 ms: "A worker process has failed to exit gracefully" with no leak at all.
 */
describe('jest config: the workers’ exit grace', () => {
  it('outlasts a loaded worker’s teardown, yet still reports a 2 s ioredis disconnect timer', () => {
    expect(config.workerGracefulExitTimeout).toBeGreaterThanOrEqual(1000);
    expect(config.workerGracefulExitTimeout).toBeLessThan(2000);
  });
});

/**
 * The integration project's two workers ended a full run with 1.3–1.7 GB of heap not yet collected
 * and took ≈ 1.6 s to exit: the grace above ran out and jest printed its warning once per run.
 */
describe('jest config: the workers’ heap at the end of the run', () => {
  it('replaces a worker between files before its heap grows past what it can unmap in the grace', () => {
    expect(config.workerIdleMemoryLimit).toMatch(/^\d+MB$/);
    expect(Number.parseInt(config.workerIdleMemoryLimit ?? '', 10)).toBeLessThanOrEqual(1000);
  });
});
