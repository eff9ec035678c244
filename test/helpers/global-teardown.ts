/** Stops the run's redis-server. */
export default async function globalTeardown(): Promise<void> {
  const server = globalThis.__testRedis;
  // Run once per project that uses it: the first stops the server, the others find none.
  globalThis.__testRedis = undefined;
  await server?.stop();
}
