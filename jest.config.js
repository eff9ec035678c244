/** Jest 30 with SWC: type checking is done by `tsc --noEmit` in `npm test`. */
const swc = (syntax) => ['@swc/jest', { jsc: { parser: { syntax }, target: 'es2022' }, module: { type: 'commonjs' } }];
// The b24jssdk CJS build requires the ESM-only qs-esm: compile that one package for jest.
const transform = { '^.+\\.ts$': swc('typescript'), 'node_modules/qs-esm/.+\\.js$': swc('ecmascript') };
const transformIgnorePatterns = ['/node_modules/(?!qs-esm/)'];
module.exports = {
  projects: [
    // Pure: no network, no Redis, no files.
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      transform,
      transformIgnorePatterns,
      testEnvironment: 'node',
      setupFilesAfterEnv: ['<rootDir>/test/helpers/no-network.ts'],
    },
    // The simulators over real HTTP on loopback (no Redis).
    {
      displayName: 'simulators',
      testMatch: ['<rootDir>/test/simulators/**/*.test.ts'],
      transform,
      transformIgnorePatterns,
      testEnvironment: 'node',
    },
    // Source checks: read the repository's own files (no network, no Redis).
    {
      displayName: 'static',
      testMatch: ['<rootDir>/test/static/**/*.test.ts'],
      transform,
      transformIgnorePatterns,
      testEnvironment: 'node',
      setupFilesAfterEnv: ['<rootDir>/test/helpers/no-network.ts'],
    },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      transform,
      transformIgnorePatterns,
      testEnvironment: 'node',
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
    },
    // The settings page in a real browser (playwright-core driving the Debian chromium package).
    {
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      transform,
      transformIgnorePatterns,
      testEnvironment: 'node',
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
    },
  ],
  testTimeout: 60000,
  // Integration files mostly wait on loopback I/O: two at a time even on 2 cores (jest's default
  // there is one) cut the suite from ≈ 65 s to ≈ 45 s; each file has its own key and queue prefixes.
  maxWorkers: 2,
  // How long a worker may take to exit after the run before jest kills it and prints "A worker
  // process has failed to exit gracefully" (jest's default: 500 ms). A worker with nothing left
  // open reaches its 'exit' event within milliseconds, but Node then unmaps its 250–300 MB heap
  // (and undici's wasm reservation): on 2 cores under load (load average 8–13 while a bench runs)
  // that alone took 250 to over 500 ms, so the warning came with no leak at all. The grace starts
  // when the run ends, so a 2 s timer (ioredis' disconnect wait) is reported only if armed in the
  // last 0.5 s before that; such timers are removed at their source (disconnectTimeout 0 in tests).
  workerGracefulExitTimeout: 1500,
  // The integration files leave a worker holding 1.3–1.7 GB of heap by the end of the run (measured:
  // nothing leaked, just not yet collected), and unmapping that took ≈ 1.6 s, past the grace above.
  // Past this bound jest replaces a worker between test files, so no worker ends the run that large.
  workerIdleMemoryLimit: '800MB',
};
