import { join } from 'node:path';
import { resourcesLeft } from '../../helpers/child-script';

/**
 * The callback tests' set-up must let their jest worker exit: closed after the wake-up subscriber
 * lost its socket (ioredis reconnecting), it must leave no timer. With ioredis' default 2 s
 * `disconnectTimeout`, each disconnect of that connection (the dispatcher's stop(), then the set-up's
 * close(): its status stays 'reconnecting') armed a 2 s timer no `close` would clear: jest reported
 * "A worker process has failed to exit gracefully".
 */
describe('callbackTestEnv: closed after its subscriber lost its socket', () => {
  it('leaves no timer to hold the process', async () => {
    const url = process.env.TEST_REDIS_URL;
    if (!url) throw new Error('TEST_REDIS_URL is not set: run through jest');
    const env = join(__dirname, '../../helpers/callback-dispatcher-env.ts');
    const script = `
      process.env.TEST_REDIS_URL = process.argv[1];
      const env = require(${JSON.stringify(env)}).callbackTestEnv('cec');
      const dispatcher = env.dispatcher();
      (async () => {
        const id = await env.subscriber.client('ID');
        // A long retry delay: the stop below finds it still reconnecting however loaded the machine is.
        env.subscriber.options.retryStrategy = () => 10000;
        await dispatcher.start();
        env.subscriber.once('reconnecting', async () => {
          await dispatcher.stop();
          if (env.subscriber.status !== 'reconnecting') throw new Error('stopped while ' + env.subscriber.status);
          env.close();
          printResourcesLeft();
        });
        await env.redis.client('KILL', 'ID', String(id)).catch(() => undefined);
      })();`;
    expect(await resourcesLeft(script, [url])).not.toContain('Timeout');
  });
});
