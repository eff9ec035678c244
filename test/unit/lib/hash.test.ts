import { randomId, randomSecret } from '../../../lib/hash';

describe('random ids and secrets', () => {
  it('a secret has the bytes asked for, straight from the CSPRNG, and never repeats', () => {
    const secrets = Array.from({ length: 500 }, () => randomSecret(32));
    expect(new Set(secrets).size).toBe(500);
    for (const s of secrets.slice(0, 5)) expect(Buffer.from(s, 'base64url')).toHaveLength(32);
    expect(Buffer.from(randomSecret(), 'base64url')).toHaveLength(32);
  });

  it('ids from the pool never repeat, across refills and beyond the pool size', () => {
    const ids = Array.from({ length: 2000 }, () => randomId(9));
    expect(new Set(ids).size).toBe(2000);
    expect(Buffer.from(randomId(5000), 'base64url')).toHaveLength(5000);
  });

  it.each([0, -1, 1.5, Number.NaN])('a byte count of %s is refused', (bytes) => {
    expect(() => randomId(bytes)).toThrow(/positive integer/);
    expect(() => randomSecret(bytes)).toThrow(/positive integer/);
  });
});
