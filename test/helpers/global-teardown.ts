/** Stops the run's redis-server. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__testRedis?.stop();
}
