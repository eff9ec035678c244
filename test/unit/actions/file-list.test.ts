import { fileNameOfUrl, mediaKindOf, parseFileList } from '../../../actions/file-list';
import { ActionError } from '../../../lib/errors/app-error';

describe('send_file list parsing', () => {
  it('reads "title|url" and bare urls', () => {
    expect(parseFileList(['Прайс | https://x.example.com/p.pdf', 'https://x.example.com/a.png'])).toEqual([
      { title: 'Прайс', url: 'https://x.example.com/p.pdf' },
      { url: 'https://x.example.com/a.png' },
    ]);
  });

  it.each(['ftp://x.example.com/a.pdf', 'not a url', 'javascript:alert(1)', 'Title|'])(
    'refuses %p naming the line',
    (bad) => {
      expect(() => parseFileList(['https://x.example.com/ok.pdf', bad])).toThrow(ActionError);
      expect(() => parseFileList(['https://x.example.com/ok.pdf', bad])).toThrow(/Files, line 2/);
    },
  );

  it.each([
    ['https://x.example.com/a.JPG', 'image'],
    ['https://x.example.com/a.webp?x=1', 'sticker'],
    ['https://x.example.com/v.3gp', 'video'],
    ['https://x.example.com/s.m4a', 'audio'],
    ['https://x.example.com/s.amr', 'audio'],
    ['https://x.example.com/d.docx', 'document'],
    ['https://x.example.com/noext', 'document'],
  ])('%s is a %s', (url, kind) => {
    expect(mediaKindOf(url)).toBe(kind);
  });

  it('names a document by the last path segment', () => {
    expect(fileNameOfUrl('https://x.example.com/dir/%D0%BF.pdf?token=1')).toBe('п.pdf');
    expect(fileNameOfUrl('https://x.example.com/')).toBe('file');
  });
});
