// The Bitrix24 frame (b24jssdk 2.x, portal-ui-wire.md §2): size the iframe to the page and keep the
// session fresh. Outside a portal frame (a browser test, a direct link) the handshake fails or never
// answers: the page then runs on the session the server put in it.
import { type B24Frame, initializeB24Frame } from '@bitrix24/b24jssdk';
import { oneAtATime, RENEW_EVERY_MS, renewalFailureText } from './renewal';
import { startSession, state } from './session';

let frame: B24Frame | null = null;

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
  return true;
}

/**
 * Renews the page session before it ends (the SDK refreshes AUTH_ID through the portal). A refused
 * renewal waits the server's Retry-After and goes again (startSession); a renewal still waiting
 * when the next is due is left to finish: never two at once (renewal.ts, where every step is bounded,
 * so a hung one cannot stop the later ones).
 */
export function keepSessionFresh(everyMs = RENEW_EVERY_MS): void {
  const renew = oneAtATime(
    async () => {
      if (!frame) return;
      await frame.auth.refreshAuth();
      const auth = frame.auth.getAuthData();
      if (auth) await startSession(auth.member_id, auth.access_token);
    },
    (error) => {
      state.error = renewalFailureText(error, state.words);
    },
  );
  setInterval(() => void renew(), everyMs);
}

export function destroyFrame(): void {
  observer?.disconnect();
  observer = null;
  root = null;
  frame?.destroy();
  frame = null;
}
