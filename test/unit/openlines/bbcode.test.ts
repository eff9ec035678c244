import { bbcodeToWhatsApp } from '../../../openlines/bbcode';

describe('bbcodeToWhatsApp', () => {
  it.each([
    ['[b]Klaus:[/b][br] Guten Tag!', '*Klaus:*\n Guten Tag!'],
    ['[B]bold[/B] [i]it[/i] [s]gone[/s] [u]under[/u]', '*bold* _it_ ~gone~ under'],
    [
      'see [url=https://x.io/a]the price[/url] or [url]https://y.io[/url]',
      'see the price (https://x.io/a) or https://y.io',
    ],
    ['[user=5]Anna[/user], [send=/help]help[/send] [like]', 'Anna, help 👍'],
    ['[color=#f00]red[/color] [size=20]big[/size][icon=1 size=20]', 'red big'],
    [
      '------------------------------------------------------\n>>earlier words\n------------------------------------------------------\nreply',
      '> earlier words\nreply',
    ],
    ['[code]a = 1[/code]', '```a = 1```'],
  ])('%s', (input, expected) => {
    expect(bbcodeToWhatsApp(input)).toBe(expected);
  });
});
