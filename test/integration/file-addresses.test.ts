import { cloudActionRunner } from '../helpers/cloud-actions';
import { createRegisteredHarness, type Harness } from '../helpers/harness';
import { CUSTOMER } from '../helpers/waits';

// Workers as production runs them: ALLOW_PRIVATE_ADDRESSES off (the install needs it on: the portal
// simulator is on 127.0.0.1). File URLs are IP literals, so nothing here depends on DNS. The pools'
// own check when connecting would refuse that loopback portal: it is left out here and tested in
// connect-guard.test.ts.
describe('file URLs offered by robots follow ALLOW_PRIVATE_ADDRESSES', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createRegisteredHarness({
      workerConfig: { ALLOW_PRIVATE_ADDRESSES: false },
      workerGuardConnections: false,
    });
  });
  afterAll(async () => {
    await h.close();
  });

  const { run } = cloudActionRunner(() => h);

  it.each([
    ['a private address', 'http://10.0.0.5/secret.pdf'],
    ['loopback', 'http://127.0.0.1:6379/'],
    ['cloud metadata (link-local)', 'http://169.254.169.254/latest/meta-data/'],
    ['an IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/x.pdf'],
  ])(
    'send_file refuses %s with invalid_property naming the line, before anything is sent; a public file goes',
    async (_what, url) => {
      const r = await run('wa_send_file', { phone: CUSTOMER, files: ['Price|https://93.184.216.34/price.pdf', url] });
      expect(r.values).toMatchObject({ status: 'error', error_code: 'invalid_property' });
      expect(String(r.values.error)).toContain('Files, line 2');
      expect(r.attempts).toBe(0);
      // The same robot with the public file alone goes out.
      const publicOnly = await run('wa_send_file', {
        phone: CUSTOMER,
        files: ['Price|https://93.184.216.34/price.pdf'],
      });
      expect(publicOnly.values).toMatchObject({ status: 'sent' });
      expect(publicOnly.bodies[0]).toMatchObject({ document: { link: 'https://93.184.216.34/price.pdf' } });
    },
  );
});
