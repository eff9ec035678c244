import { type Lang, type MessageKey, t, type Var } from '../../lib/i18n/catalogue';
import type { InstallOutcome } from '../../portals/install-portal';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/** Catalogue text, HTML-escaped. */
const say = (lang: Lang, key: MessageKey, vars?: Readonly<Record<string, Var>>) => escapeHtml(t(lang, key, vars));

/**
 * The install page, in the portal's language: what was registered (robots, activities, events), the
 * next step (connect a line), then `BX24.installFinish()` — events reach the app only after it
 * (bitrix24-wire.md §5). Outside Bitrix24 (no BX24) it says where to open it instead.
 */
export function renderInstallPage(
  lang: Lang,
  outcome: Pick<InstallOutcome, 'progress' | 'alreadyInstalled'>,
  eventsBound: number,
): string {
  const { progress } = outcome;
  const steps = outcome.alreadyInstalled
    ? [say(lang, 'install.already')]
    : progress
      ? [
          say(lang, 'install.robots', { count: progress.robots }),
          say(lang, 'install.activities', { count: progress.activities }),
          say(lang, 'install.events', { count: eventsBound }),
        ]
      : [say(lang, 'install.events', { count: eventsBound }), say(lang, 'install.queued')];
  const texts = JSON.stringify({
    finishing: t(lang, 'install.finishing'),
    finished: t(lang, 'install.finished'),
    outside: t(lang, 'install.outside'),
    // JSON in a script: "</" would end the script element early.
  }).replace(/</g, '\\u003c');
  return [
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">`,
    `<title>${say(lang, 'install.title')}</title>`,
    '<script src="//api.bitrix24.com/api/v1/"></script>',
    '<style>body{font:14px/1.5 "Open Sans",Helvetica,Arial,sans-serif;color:#333;margin:24px}',
    'li{margin:4px 0}#state{color:#2fc6f6;font-weight:600}</style></head><body>',
    `<h2>${say(lang, 'install.heading')}</h2>`,
    `<ul id="progress">${steps.map((s) => `<li>${s}</li>`).join('')}</ul>`,
    `<h3>${say(lang, 'install.next_title')}</h3>`,
    `<p>${say(lang, 'install.next_text')}</p>`,
    `<p id="state">${say(lang, 'install.finishing')}</p>`,
    `<script>(function(){var t=${texts};var s=document.getElementById('state');`,
    'if(!window.BX24){s.textContent=t.outside;return;}',
    'BX24.init(function(){BX24.installFinish();s.textContent=t.finished;});})();</script>',
    '</body></html>',
  ].join('');
}
