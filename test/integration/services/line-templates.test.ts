import { Redis } from 'ioredis';
import { ActionError } from '../../../lib/errors/app-error';
import { randomId } from '../../../lib/hash';
import { createLogger } from '../../../lib/logger';
import { createSecretBox } from '../../../lib/secret-box';
import { createLineTemplates } from '../../../lines/line-templates';
import type { MessageTemplate } from '../../../providers/message-template';
import type { WhatsAppProvider } from '../../../providers/provider';
import { createKeys } from '../../../redis/keys';
import { type Line, LineStore } from '../../../store/line-store';
import { TemplateStore } from '../../../store/template-store';
import { createManualClock } from '../../helpers/manual-clock';
import { RECONNECT_AS_READ } from '../../helpers/waba';

const HOUR = 3_600_000;

// The line's template cache on real Redis, with a provider the test controls (the Cloud API path is
// covered end to end in waba-templates.test.ts).
describe('line templates: cache and refresh (real Redis)', () => {
  const redis = new Redis(process.env.TEST_REDIS_URL ?? '');
  afterAll(() => redis.disconnect());

  it('reads an hour-old list again; when the account cannot be read, the older list still serves', async () => {
    const keys = createKeys(`lt${randomId(4).replace(/[^a-zA-Z0-9]/g, 'x')}`);
    const clock = createManualClock();
    const lines = new LineStore(redis, keys, createSecretBox(Buffer.alloc(32, 5)));
    const line: Line = {
      id: 'main',
      memberId: 'm1',
      provider: 'cloud',
      phoneNumberId: '200000000000002',
      accessToken: 't',
      wabaId: '300000000000003',
      name: 'Main',
      createdAt: 0,
    };
    await lines.add(line);
    let answer: () => Promise<MessageTemplate[]> = async () => [RECONNECT_AS_READ];
    let reads = 0;
    const provider: Pick<WhatsAppProvider, 'listTemplates'> = {
      listTemplates: () => {
        reads += 1;
        return answer();
      },
    };
    const templates = createLineTemplates({
      store: new TemplateStore(redis, keys),
      lines,
      // cast: the cache only calls listTemplates.
      providerFor: () => provider as WhatsAppProvider,
      clock,
      log: createLogger('silent'),
    });
    expect(await templates.find(line, 'reconnect', 'ru')).toEqual(RECONNECT_AS_READ);
    expect(await templates.find(line, 'reconnect', 'ru')).toEqual(RECONNECT_AS_READ);
    expect(reads).toBe(1);
    clock.advance(2 * HOUR);
    answer = async () => Promise.reject(new ActionError('provider_unavailable', 'HTTP 503', { retryable: true }));
    expect(await templates.find(line, 'reconnect', 'ru')).toEqual(RECONNECT_AS_READ);
    expect(reads).toBe(2);
    // A template webhook for the account reads the list of each of its lines again.
    answer = async () => [{ ...RECONNECT_AS_READ, status: 'PAUSED' }];
    expect(await templates.onAccountChanged('300000000000003')).toBe(1);
    expect(await templates.find(line, 'reconnect', 'ru')).toMatchObject({ status: 'PAUSED' });
    expect(await templates.onAccountChanged('399999999999999')).toBe(0);
  });
});
