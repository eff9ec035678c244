import { actions } from '../../actions';
import { createHarness, createRegisteredHarness, type Harness, waitForRegistration } from '../helpers/harness';
import { settled } from '../helpers/signals';

const sendText = (h: Harness) =>
  h.portal.runRobot({
    code: 'wa_send_text',
    documentId: ['crm', 'CCrmDocumentDeal', `DEAL_${h.portal.createDeal({ stageId: 'NEW' })}`],
    properties: { text: 'hello', phone: '79161234567' },
  });

describe('install page: the page binds ONAPPINSTALL, the event brings the application token', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('page POST (no application token) → robot refused; ONAPPINSTALL after installFinish → token stored → robot accepted', async () => {
    h = await createHarness({ install: 'none', installingUserId: 7 });
    const page = await h.portal.installViaPage({ installUrl: `${h.appUrl}/b24/install`, finish: false });
    expect(page.status).toBe(200);
    expect(page.body).toContain('BX24.installFinish()');
    // The page registered right away and says so, in the portal's language (English here).
    expect(page.body).toContain(`Robots registered: ${actions.length}`);
    expect(page.body).toContain(`Business process activities registered: ${actions.length}`);
    expect(page.body).toContain('Portal events subscribed: 8');
    expect(page.body).toContain('Next step: connect a WhatsApp line');
    // Bound before the page answered (so before its installFinish): ONAPPINSTALL and the app's events.
    expect(
      h.portal
        .eventBindings()
        .map((b) => `${b.event} ${b.handler}`)
        .sort(),
    ).toEqual(
      [
        'ONAPPINSTALL',
        'ONAPPUNINSTALL',
        'ONCRMDEALUPDATE',
        'ONCRMDYNAMICITEMUPDATE',
        'ONCRMLEADUPDATE',
        'ONIMCONNECTORLINEDELETE',
        'ONIMCONNECTORMESSAGEADD',
        'ONIMCONNECTORSTATUSDELETE',
      ].map((event) => `${event} ${h.appUrl}/b24/events`),
    );
    expect(await h.rt.portals.get(h.memberId)).toMatchObject({ applicationToken: '', userId: 7 });
    await waitForRegistration(h, actions.length);

    const before = await sendText(h);
    expect(before.httpStatus).toBe(401);

    const delivered = await h.portal.installFinish();
    expect(delivered.map((d) => [d.url, d.status])).toEqual([[`${h.appUrl}/b24/events`, 200]]);
    expect((await h.rt.portals.get(h.memberId))?.applicationToken).toBe(page.applicationToken);
    // The page registered; the event only completes its install: no setup job at all.
    const setups = await h.rt.queues.portalSetup.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
    expect(Object.values(setups).reduce((sum, n) => sum + n, 0)).toBe(0);

    const after = await sendText(h);
    expect(after.httpStatus).toBe(200);
    await h.portal.waitForRun(after.run.eventToken, 15_000);
    expect(h.whatsapp.sent()).toHaveLength(1);
    // The page's installing user (read with `profile`) is every robot's and activity's AUTH_USER_ID.
    expect([...h.portal.robots(), ...h.portal.activities()].map((r) => r.authUserId)).toEqual(
      [...h.portal.robots(), ...h.portal.activities()].map(() => 7),
    );
  });

  it('a user opening the app on an installed portal changes nothing: no new tokens, bindings or setup', async () => {
    h = await createHarness({ install: 'none', installingUserId: 7 });
    await h.portal.installViaPage({ installUrl: `${h.appUrl}/b24/install` });
    await waitForRegistration(h, actions.length);
    // The install's own setup job finished: the counts below then change only if the open queues one.
    await settled(h);
    const before = await h.rt.portals.get(h.memberId);
    const setupsBefore = await h.rt.queues.portalSetup.getJobCounts('waiting', 'active', 'delayed', 'completed');
    const opened = await h.portal.openApp({ url: `${h.appUrl}/b24/install` });
    expect(opened.status).toBe(200);
    expect(await h.rt.portals.get(h.memberId)).toEqual(before);
    expect(await h.rt.queues.portalSetup.getJobCounts('waiting', 'active', 'delayed', 'completed')).toEqual(
      setupsBefore,
    );
  });

  it("a Russian portal's install page is in Russian: what was registered, then the next step", async () => {
    h = await createHarness({ install: 'none', languageId: 'ru' });
    const page = await h.portal.installViaPage({ installUrl: `${h.appUrl}/b24/install`, finish: false });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html lang="ru">');
    expect(page.body).toContain(`Роботов зарегистрировано: ${actions.length}`);
    expect(page.body).toContain(`Действий бизнес-процессов зарегистрировано: ${actions.length}`);
    expect(page.body).toContain('Подписок на события портала: 8');
    expect(page.body).toContain('Следующий шаг: подключите линию WhatsApp');
    expect(page.body).toContain('Завершаем установку');
    expect(page.body).toContain('BX24.installFinish()');
    // Visible text (outside tags and the script) has no English.
    const visible = page.body.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>|<[^>]+>/g, ' ');
    const latin = visible.replace(/WhatsApp|Cloud API|Green-API/g, ' ').match(/[A-Za-z]{2,}/g) ?? [];
    expect(latin).toEqual([]);
  });

  it('ONAPPINSTALL: robots and activities are registered with the installing user (auth[user_id])', async () => {
    h = await createRegisteredHarness({ installingUserId: 7 });
    expect((await h.rt.portals.get(h.memberId))?.userId).toBe(7);
    const registered = [...h.portal.robots(), ...h.portal.activities()];
    expect(registered).toHaveLength(actions.length * 2);
    for (const registration of registered) expect(registration.authUserId).toBe(7);
  });
});
