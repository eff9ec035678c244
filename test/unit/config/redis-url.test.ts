import { loadConfig } from '../../../config/load-config';
import { hasHashTag, parseRedisUrl } from '../../../config/redis-url';
import { validEnv } from '../../helpers/valid-env';

const valid = validEnv;

describe('REDIS_URL and QUEUE_PREFIX', () => {
  it('a single Redis URL is passed on as it is', () => {
    expect(parseRedisUrl('redis://:pw@10.0.0.5:6380/2')).toEqual({
      kind: 'single',
      url: 'redis://:pw@10.0.0.5:6380/2',
    });
    expect(parseRedisUrl('rediss://cache.example.com:6380').kind).toBe('single');
  });

  it('a cluster URL lists its seed nodes, with credentials and TLS', () => {
    expect(parseRedisUrl('redis+cluster://10.0.0.1:7000,10.0.0.2:7001')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
      tls: false,
    });
    expect(parseRedisUrl('rediss+cluster://app:p%40ss@redis-a.internal:6379,[::1]:7000')).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'redis-a.internal', port: 6379 },
        { host: '::1', port: 7000 },
      ],
      username: 'app',
      password: 'p@ss',
      tls: true,
    });
    expect(parseRedisUrl('redis+cluster://:secret@h:1')).toMatchObject({ password: 'secret' });
  });

  it.each([
    ['redis+cluster://', /is not host:port/],
    ['redis+cluster://h1:7000,h2', /"h2" is not host:port/],
    ['redis+cluster://h1:99999', /is not host:port/],
    ['redis+cluster://h1:7000/0', /takes no database/],
    ['http://h1:7000', /must start with redis:\/\//],
  ])('refuses %p', (url, message) => {
    expect(() => parseRedisUrl(url)).toThrow(message);
    expect(() => loadConfig({ ...valid, REDIS_URL: url })).toThrow(/REDIS_URL:/);
  });

  it('the queue prefix stays `bull` on one Redis and is `{bull}` on a cluster, unless set', () => {
    expect(loadConfig(valid).QUEUE_PREFIX).toBe('bull');
    expect(loadConfig({ ...valid, REDIS_URL: 'redis+cluster://h1:7000' }).QUEUE_PREFIX).toBe('{bull}');
    expect(loadConfig({ ...valid, QUEUE_PREFIX: '{wa-q}' }).QUEUE_PREFIX).toBe('{wa-q}');
    expect(loadConfig({ ...valid, REDIS_URL: 'redis+cluster://h1:7000', QUEUE_PREFIX: 'x{q}' }).QUEUE_PREFIX).toBe(
      'x{q}',
    );
  });

  it('a cluster refuses a queue prefix without a hash tag; a bad prefix is named', () => {
    expect(() => loadConfig({ ...valid, REDIS_URL: 'redis+cluster://h1:7000', QUEUE_PREFIX: 'bull' })).toThrow(
      /QUEUE_PREFIX: on a Redis Cluster it must contain a \{hash tag\}/,
    );
    expect(() => loadConfig({ ...valid, QUEUE_PREFIX: 'bull queue' })).toThrow(/QUEUE_PREFIX:/);
  });

  it('reads hash tags as Redis does: the first `{`, the first `}` after it, something between', () => {
    expect(hasHashTag('{bull}')).toBe(true);
    expect(hasHashTag('app{q}:x')).toBe(true);
    expect(hasHashTag('bull')).toBe(false);
    expect(hasHashTag('{}{bull}')).toBe(false);
    expect(hasHashTag('}{')).toBe(false);
  });
});
