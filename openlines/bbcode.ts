/**
 * Bitrix24 BB-code → WhatsApp formatting (openlines-wire.md §6): bold/italic/strike to `*` `_` `~`,
 * links to "text (url)", quotes to "> ", mentions and commands to their text; other tags are dropped.
 */
export function bbcodeToWhatsApp(input: string): string {
  let text = input.replace(/\r\n?/g, '\n');
  const pairs: Array<[RegExp, string | ((...m: string[]) => string)]> = [
    [/\[br\]/gi, '\n'],
    [/\[b\]([\s\S]*?)\[\/b\]/gi, '*$1*'],
    [/\[i\]([\s\S]*?)\[\/i\]/gi, '_$1_'],
    [/\[s\]([\s\S]*?)\[\/s\]/gi, '~$1~'],
    [/\[u\]([\s\S]*?)\[\/u\]/gi, '$1'],
    [/\[code\]([\s\S]*?)\[\/code\]/gi, '```$1```'],
    [
      /\[url=([^\]]+)\]([\s\S]*?)\[\/url\]/gi,
      (_m, url = '', label = '') => (label && label !== url ? `${label} (${url})` : url),
    ],
    [/\[url\]([\s\S]*?)\[\/url\]/gi, '$1'],
    [/\[img(?:\s[^\]]*)?\]([\s\S]*?)\[\/img\]/gi, '$1'],
    [/\[(user|chat|context|send|put|call)(?:=[^\]]*)?\]([\s\S]*?)\[\/\1\]/gi, '$2'],
    [/\[like\]/gi, '👍'],
    [/\[dislike\]/gi, '👎'],
    [/\[(?:size|color|icon|timestamp|disk)(?:[=\s][^\]]*)?\]/gi, ''],
    [/\[\/(?:size|color)\]/gi, ''],
  ];
  for (const [pattern, replacement] of pairs) {
    text = typeof replacement === 'string' ? text.replace(pattern, replacement) : text.replace(pattern, replacement);
  }
  // Quote lines (">>") and the dashed blocks the core builds around replies and forwards.
  text = text
    .split('\n')
    .filter((line) => !/^-{10,}$/.test(line.trim()))
    .map((line) => (line.startsWith('>>') ? `> ${line.slice(2).trimStart()}` : line))
    .join('\n');
  return text.trim();
}
