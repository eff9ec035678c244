import type { Browser, BrowserContext, Frame, Request } from 'playwright-core';
import { z } from 'zod';
import { SESSION_REQUEST_LIMITS } from '../../app/settings/session-rate-limit';
import { launchChromium, screenshot } from '../helpers/browser';
import { createHarness, eventually, type Harness } from '../helpers/harness';
import { createManualClock, type ManualClock } from '../helpers/manual-clock';

/**
 * The session door's window per client address: the page's opening takes its one request. Its
 * Redis key lapses after this much REAL time (PEXPIRE), whatever the app's clock says: long, so a
 * slow browser on a busy machine never sees it lapse before the renewal goes out.
 */
const WINDOW_MS = 60_000;
/** What is left of the window (on the app's clock) when the renewal is refused: its Retry-After. */
const RETRY_AFTER_MS = 2000;
/** The portal's zone (the page's times are in it): not the machine's, so a time shown in the wrong zone fails. */
const PORTAL_TIME_ZONE = 'Asia/Tokyo';
/** What the page may be early by: browser timings are rounded floats of two clocks (wall and monotonic). */
const TIMING_SLACK_MS = 100;

/**
 * A session renewal the server refuses (429 + Retry-After, the session door's own window: real, not
 * stubbed) in a real browser: the page says when it tries again, asks nothing before that (not even
 * for a click), then renews once. The page's clock (playwright's, installed before the page) brings
 * the 20-minute renewal at once; the app's (manual) clock holds the window full until the test sees
 * the refusal. Times are the browser's own request timings, read after the retried request arrived.
 */
/**
 * Records each text of the page's retry notice with the page's time it appeared: read later, it
 * cannot be missed when the notice is gone (its wait is 2 s of the browser's time) before the test looks.
 */
async function recordNotices(frame: Frame): Promise<void> {
  await frame.evaluate(() => {
    const seen: Array<{ text: string; at: number }> = [];
    Reflect.set(window, '__notices', seen);
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid="retry-notice"]')?.textContent ?? '';
      if (text && seen.at(-1)?.text !== text) seen.push({ text, at: Date.now() });
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

const noticesSchema = z.array(z.object({ text: z.string(), at: z.number() }));
const noticesOf = async (frame: Frame) =>
  noticesSchema.parse(await frame.evaluate(() => Reflect.get(window, '__notices')));

describe('settings page in chromium: a refused session renewal', () => {
  let h: Harness;
  let clock: ManualClock;
  let browser: Browser;
  let context: BrowserContext;
  beforeAll(async () => {
    clock = createManualClock(Date.now());
    h = await createHarness({
      clock,
      portalTimeZone: PORTAL_TIME_ZONE,
      sessionLimits: { ...SESSION_REQUEST_LIMITS, perAddress: { limit: 1, windowMs: WINDOW_MS } },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await h.close();
  });

  it('waits the Retry-After, says when it tries again, holds a click, then renews once', async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.clock.install();
    const page = await context.newPage();
    const sessionRequests: Request[] = [];
    const activityRequests: Request[] = [];
    let refusal: { request: Request; retryAfter: string | undefined } | undefined;
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (path === '/b24/settings/api/session') sessionRequests.push(request);
      if (path === '/b24/settings/api/activity') activityRequests.push(request);
    });
    page.on('response', (response) => {
      if (!response.url().endsWith('/api/session') || response.status() !== 429 || refusal) return;
      refusal = { request: response.request(), retryAfter: response.headers()['retry-after'] };
      // The window frees on the app's clock: the page's retry, when it comes, is let in.
      clock.advance(RETRY_AFTER_MS);
    });

    await page.goto(h.portal.pageHostUrl({ url: `${h.appUrl}/b24/settings`, lang: 'en' }));
    const app = page.frameLocator('#app-frame');
    await app.locator('[data-testid="lines-table"]').getByText('Main line').waitFor();
    // The page has set its renewal timer and fitted the frame (App.vue's onMounted, in that order).
    await page.waitForFunction(() => Number(Reflect.get(window, '__resizes')) > 0);
    expect(sessionRequests).toHaveLength(0);

    const appFrame = await (await page.locator('#app-frame').elementHandle())?.contentFrame();
    if (!appFrame) throw new Error('the settings page has no frame');
    await recordNotices(appFrame);
    // The app's clock to the window's last seconds (the page's opening took its one request): the
    // renewal is refused with a short Retry-After, while the key itself lives on for most of a minute.
    clock.advance(WINDOW_MS - RETRY_AFTER_MS);
    await page.clock.fastForward('20:00');
    const notice = app.locator('[data-testid="retry-notice"]');
    await notice
      .getByText('Too many requests to the server: the page waits and tries again at', { exact: false })
      .waitFor();
    expect(refusal?.retryAfter).toBe(String(RETRY_AFTER_MS / 1000));
    // The time of the retry, in the portal's zone, which the notice names: due RETRY_AFTER_MS after the
    // refusal, which came just before the notice was put up (the page's clock then, as recorded).
    const [first] = await noticesOf(appFrame);
    const shown = /tries again at (.+) \(time zone (.+)\)\.$/.exec(first?.text ?? '');
    expect(shown?.[2]).toBe(PORTAL_TIME_ZONE);
    const clockOf = new Intl.DateTimeFormat('en', { timeStyle: 'medium', timeZone: PORTAL_TIME_ZONE });
    const shownAt = first?.at ?? 0;
    expect([0, 1].map((late) => clockOf.format(shownAt + RETRY_AFTER_MS - late * 1000))).toContain(shown?.[1]);
    await screenshot(page, 'retry-after');
    // A click during the wait: the tab's data is asked for only when the wait is over.
    await app.getByRole('tab', { name: 'Activity' }).click();

    const retried = await eventually(() => sessionRequests[1], 15_000, 'the retried renewal');
    const refused = refusal?.request;
    if (!refused) throw new Error('no refused renewal was seen');
    expect(sessionRequests[0]).toBe(refused);
    // A request's timing is filled in once its answer arrived.
    const renewed = await retried.response();
    expect(renewed?.status()).toBe(200);
    const refusedAt = refused.timing().startTime + refused.timing().responseStart;
    expect(retried.timing().startTime - refusedAt).toBeGreaterThanOrEqual(RETRY_AFTER_MS - TIMING_SLACK_MS);

    await notice.waitFor({ state: 'detached' });
    await app.locator('[data-testid="no-waits"]').waitFor();
    const activity = activityRequests[0];
    if (!activity) throw new Error('the Activity tab asked for nothing');
    await activity.response();
    expect(activity.timing().startTime - refusedAt).toBeGreaterThanOrEqual(RETRY_AFTER_MS - TIMING_SLACK_MS);
    expect(await app.locator('[data-testid="page-error"]').count()).toBe(0);
    // One refusal, one retry: no storm.
    expect(sessionRequests).toHaveLength(2);
    await page.close();
  });
});
