import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../lib/errors/app-error';

/** Where `npm run build:web` (run on install, before the demo, the tests and start) puts the page. */
export const WEB_DIST = join(__dirname, '..', '..', 'web', 'dist');

/** What the page starts with, in the HTML itself (no cookie, no extra round trip). */
export interface PageBoot {
  lang: 'ru' | 'en';
  words: Record<string, string>;
  /** The page session (absent: the page asks for one through the frame SDK, or says to open it from Bitrix24). */
  token?: string;
  admin?: boolean;
  /** Bull Board may be opened (an admin of one of the app operator's portals). */
  queues?: boolean;
  userName?: string;
  /** Base of the page's JSON calls. */
  api: string;
  /** Why the opening was refused (shown as is). */
  error?: string;
}

let cached: string | undefined;

/** The built index.html (read once). */
function template(): string {
  if (cached !== undefined) return cached;
  const file = join(WEB_DIST, 'index.html');
  if (!existsSync(file))
    throw new AppError(
      'settings_page_not_built',
      'the settings page is not built: run npm run build:web where the dev dependencies are, and deploy web/dist',
      {
        kind: 'unavailable',
      },
    );
  cached = readFileSync(file, 'utf8');
  return cached;
}

/** The page with its boot data inlined as JSON (`<` escaped: nothing in it can close the script). */
export function renderPage(boot: PageBoot): string {
  const json = JSON.stringify(boot).replace(/</g, '\\u003c');
  const tag = `<script id="boot" type="application/json">${json}</script>`;
  // A function, not a string: a replacement string expands `$'`, `$&`… found in user data (names).
  return template().replace('<!--boot-->', () => tag);
}
