import { actions, findActionByCode } from '../../actions';
// Loaded as a module (no file reads in unit tests); cloned into plain JSON values for the comparisons.
import manifestJson from '../../manifest.json';
import { buildManifest } from '../../scripts/build-manifest';

const manifest = JSON.parse(JSON.stringify(manifestJson));

describe('manifest.json', () => {
  it('is current (run `npm run manifest` after changing actions)', () => {
    expect(manifest).toEqual(JSON.parse(JSON.stringify(buildManifest())));
  });

  it('lists exactly the catalogue as robots and as activities, with distinct codes', () => {
    const robotCodes = manifest.robots.map((r: { code: string }) => r.code).sort();
    const activityCodes = manifest.activities.map((a: { code: string }) => a.code).sort();
    expect(robotCodes).toEqual(actions.map((a) => `wa_${a.code}`).sort());
    expect(activityCodes).toEqual(actions.map((a) => `wa_${a.code}_bp`).sort());
    expect(new Set([...robotCodes, ...activityCodes]).size).toBe(robotCodes.length + activityCodes.length);
    for (const code of [...robotCodes, ...activityCodes]) expect(findActionByCode(code)).not.toBeNull();
  });

  it('names each robot in ru and en with explicit USE_SUBSCRIPTION and valid property codes', () => {
    for (const robot of manifest.robots) {
      expect(robot.NAME).toEqual({ ru: expect.any(String), en: expect.any(String) });
      expect(robot.USE_SUBSCRIPTION).toBe('Y');
      for (const code of [...Object.keys(robot.PROPERTIES), ...Object.keys(robot.RETURN_PROPERTIES)])
        expect(code).toMatch(/^[a-z][a-z0-9_]*$/i);
    }
    // `im`: the app posts system lines into open-line chats (im.message.add; openlines-wire.md §0).
    expect(manifest.scope).toEqual(expect.arrayContaining(['crm', 'bizproc', 'imopenlines', 'imconnector', 'im']));
    expect(manifest.endpoints).toMatchObject({
      install: '/b24/install',
      robot: '/b24/robot',
      events: '/b24/events',
      whatsappWebhook: '/whatsapp/webhook',
    });
  });
});
