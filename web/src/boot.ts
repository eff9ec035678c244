// What the server put in the page (web/index.html's boot script): the session, the language and
// the words of the catalogue's settings section.
export interface Boot {
  lang: 'ru' | 'en';
  words: Record<string, string>;
  token?: string;
  admin?: boolean;
  queues?: boolean;
  userName?: string;
  timeZone?: string;
  api: string;
  error?: string;
}

export function readBoot(): Boot {
  const node = document.getElementById('boot');
  const fallback: Boot = { lang: 'en', words: {}, api: '/b24/settings/api' };
  if (!node?.textContent) return fallback;
  return { ...fallback, ...(JSON.parse(node.textContent) as Partial<Boot>) };
}
