// The Bitrix24 frame (b24jssdk 2.x, portal-ui-wire.md §2): size the iframe to the page and keep the
// session fresh. Outside a portal frame (a browser test, a direct link) the handshake fails or never
// answers: the page then runs on the session the server put in it.
import { type B24Frame, initializeB24Frame } from '@bitrix24/b24jssdk';
import { createRenewer, RENEW_EVERY_MS, sessionEndOf } from './renewal';
import { pageTimers, startSession, state } from './session';

let frame: B24Frame | null = null;
/** When the page takes its session as over: the server's put in the page is about as old as the page. */
let sessionEndsAt = sessionEndOf(Date.now());

/** The frame, or null when the page is not inside a Bitrix24 frame that answers in time. */
export async function connectFrame(timeoutMs = 3000): Promise<B24Frame | null> {
  // The SDK reads window.name ("DOMAIN|PROTOCOL|APP_SID"); without it there is no portal around.
  if (window.parent === window || window.name.split('|').length < 3) return null;
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs));
  try {
    frame = await Promise.race([initializeB24Frame(), timeout]);
  } catch {
    frame = null;
  }
  return frame;
}

let root: HTMLElement | null = null;
let observer: ResizeObserver | null = null;

/**
 * Fits the portal's iframe to the page's content (a no-op outside a frame). Measured on the app's
 * own root, not the document: the document is at least as tall as the iframe, so sizing the frame
 * by it could only grow (and, observed, grow without end).
 */
export function fitFrame(): void {
  if (!frame) return;
  const resized = root ? frame.parent.resizeWindowAuto(root, 300) : frame.parent.fitWindow();
  void resized.catch(() => undefined);
}

/** Fits the frame again whenever the content's height changes (data arriving, a tab, a dialog). */
export function fitOnResize(element: HTMLElement): void {
  if (!frame || observer) return;
  root = element;
  let height = 0;
  observer = new ResizeObserver(([entry]) => {
    const next = Math.ceil(entry?.contentRect.height ?? 0);
    if (next === height) return;
    height = next;
    fitFrame();
  });
  observer.observe(root);
}

/** A session from the frame's own token, when the server gave none (the page opened by GET). */
export async function sessionFromFrame(): Promise<boolean> {
  const auth = frame?.auth.getAuthData();
  if (!auth) return false;
  await startSession(auth.member_id, auth.access_token);
  sessionEndsAt = sessionEndOf(Date.now());
  return true;
}

/**
 * Renews the page session before it ends (the SDK refreshes AUTH_ID through the portal). A refused
 * renewal waits the server's Retry-After and goes again (startSession); a renewal still waiting
 * when the next is due is left to finish: never two at once. A failed renewal while the session is
 * still good keeps the tabs and what is typed in them, says so (state.renewal) and tries once more a
 * minute later; only a session that is over hides them (renewal.ts createRenewer).
 */
export function keepSessionFresh(everyMs = RENEW_EVERY_MS): void {
  const renew = createRenewer({
    async portalAuth() {
      if (!frame) return null;
      await frame.auth.refreshAuth();
      const auth = frame.auth.getAuthData();
      return auth ? { memberId: auth.member_id, accessToken: auth.access_token } : null;
    },
    async startSession(memberId, accessToken) {
      await startSession(memberId, accessToken);
      sessionEndsAt = sessionEndOf(Date.now());
    },
    sessionEndsAt: () => sessionEndsAt,
    timers: pageTimers,
    state,
  });
  setInterval(() => void renew(), everyMs);
}

export function destroyFrame(): void {
  observer?.disconnect();
  observer = null;
  root = null;
  frame?.destroy();
  frame = null;
}
