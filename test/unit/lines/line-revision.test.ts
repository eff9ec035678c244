import { digest } from '../../../lib/hash';
import { createSecretBox } from '../../../lib/secret-box';
import { lineRevision } from '../../../lines/line-revision';
import type { Line } from '../../../store/line-store';

const LINE: Line = {
  id: 'main',
  memberId: 'm1',
  provider: 'green-api',
  phoneNumberId: '1101000001',
  accessToken: 'token-a',
  webhookToken: 'hook-a',
  apiUrl: 'https://user:password@api.green-api.example',
  name: 'Shop',
  ratePerSec: 5,
  createdAt: 1_000,
};

// Review s26 RISK 1: the revision was an unkeyed hash of the line, apiUrl (which may carry
// credentials) and createdAt included, handed to the page: a guess of them could be checked
// against it offline. It is now keyed by the deployment's SecretBox.
describe('lineRevision', () => {
  const box = createSecretBox(Buffer.alloc(32, 1));

  it("is keyed: another deployment's key gives another revision, and it is no plain digest of the line", () => {
    const other = createSecretBox(Buffer.alloc(32, 2));
    expect(lineRevision(LINE, box)).not.toBe(lineRevision(LINE, other));
    const { accessToken: _a, webhookToken: _w, ...shown } = LINE;
    expect(lineRevision(LINE, box)).not.toBe(digest(JSON.stringify(shown)).slice(0, 16));
  });

  it('is the same in every process of one deployment (a box over the same key), whatever the key order', () => {
    const again = createSecretBox(Buffer.alloc(32, 1));
    const { id, memberId, ...rest } = LINE;
    const reordered: Line = { ...rest, memberId, id };
    expect(lineRevision(reordered, again)).toBe(lineRevision(LINE, box));
  });

  it('ignores the secrets, and changes with the name, rate, number and unshown fields', () => {
    const revision = lineRevision(LINE, box);
    expect(lineRevision({ ...LINE, accessToken: 'token-b', webhookToken: 'hook-b' }, box)).toBe(revision);
    for (const change of [
      { name: 'Sales' },
      { ratePerSec: 6 },
      { phoneNumberId: '1101000002' },
      { apiUrl: 'https://api.green-api.example' },
    ]) {
      expect(lineRevision({ ...LINE, ...change }, box)).not.toBe(revision);
    }
  });
});
