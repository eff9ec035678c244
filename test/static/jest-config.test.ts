import { createRequire } from 'node:module';
import { z } from 'zod';

/**
 * How long jest lets a worker exit after the run. Measured on the 2-core machine while a bench ran
 * (the five callback test files together): a worker with nothing left open reached its 'exit' event
 * within milliseconds of being told to end, then took 270–600 ms more to unmap its heap, past
 * jest's default 500 ms: "A worker process has failed to exit gracefully" with no leak at all.
 */
describe('jest config: the workers’ exit grace', () => {
  const config = z
    .object({ workerGracefulExitTimeout: z.number().optional() })
    .parse(createRequire(__filename)('../../jest.config.js'));

  it('outlasts a loaded worker’s teardown, yet still reports a 2 s ioredis disconnect timer', () => {
    expect(config.workerGracefulExitTimeout).toBeGreaterThanOrEqual(1000);
    expect(config.workerGracefulExitTimeout).toBeLessThan(2000);
  });
});
