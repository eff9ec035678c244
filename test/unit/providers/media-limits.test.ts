import { checkMediaFile, mediaKindOfType, mimeTypeOf } from '../../../providers/media-limits';

const bytes = (size: number, head = '') => {
  const b = new Uint8Array(size);
  b.set(Buffer.from(head, 'latin1'));
  return b;
};
/** A WebP header: RIFF…WEBPVP8X with the animation flag (bit 1 of byte 20) set or not. */
const webp = (size: number, animated: boolean) => {
  const b = bytes(size, 'RIFF\0\0\0\0WEBPVP8X');
  b[20] = animated ? 0x02 : 0;
  return b;
};
const KB = 1024;
const MB = 1024 * KB;

describe('WhatsApp media limits (waba-wire.md §4)', () => {
  it.each([
    ['image/jpeg', 'image'],
    ['image/png', 'image'],
    ['image/webp', 'sticker'],
    ['video/mp4', 'video'],
    ['video/3gpp', 'video'],
    ['audio/mpeg', 'audio'],
    ['audio/ogg', 'audio'],
    ['application/pdf', 'document'],
    ['application/zip', 'document'],
  ])('%s is sent as %s', (mime, kind) => {
    expect(mediaKindOfType(mime)).toBe(kind);
  });

  it('takes the MIME type from the name when the server only says octet-stream', () => {
    expect(mimeTypeOf('s.webp', 'application/octet-stream')).toBe('image/webp');
    expect(mimeTypeOf('a.m4a', undefined)).toBe('audio/mp4');
    expect(mimeTypeOf('a.bin', 'image/png; charset=binary')).toBe('image/png');
  });

  it.each([
    ['photo.jpg', 'image', 'image/jpeg', 5 * MB + 1, /"photo\.jpg" is 5\.0 MB; an image may be at most 5\.0 MB/],
    ['clip.mp4', 'video', 'video/mp4', 16 * MB + 1, /"clip\.mp4" is 16\.0 MB; a video may be at most 16\.0 MB/],
    ['voice.mp3', 'audio', 'audio/mpeg', 16 * MB + 1, /"voice\.mp3"/],
  ] as const)('%s over its limit is file_too_large naming the file', (name, kind, mimeType, size, text) => {
    expect(() => checkMediaFile({ name, kind, mimeType, bytes: bytes(size) })).toThrow(
      expect.objectContaining({ code: 'file_too_large', message: expect.stringMatching(text) }),
    );
    expect(() => checkMediaFile({ name, kind, mimeType, bytes: bytes(size - 1) })).not.toThrow();
  });

  it('a document may be 100 MB', () => {
    const ok = { name: 'big.pdf', kind: 'document' as const, mimeType: 'application/pdf' };
    expect(() => checkMediaFile({ ...ok, bytes: bytes(100 * MB) })).not.toThrow();
    expect(() => checkMediaFile({ ...ok, bytes: bytes(100 * MB + 1) })).toThrow(
      expect.objectContaining({ code: 'file_too_large' }),
    );
  });

  it('a static sticker may be 100 KB, an animated one 500 KB', () => {
    const sticker = { name: 's.webp', kind: 'sticker' as const, mimeType: 'image/webp' };
    expect(() => checkMediaFile({ ...sticker, bytes: webp(100 * KB, false) })).not.toThrow();
    expect(() => checkMediaFile({ ...sticker, bytes: webp(100 * KB + 1, false) })).toThrow(
      expect.objectContaining({
        code: 'file_too_large',
        message: expect.stringMatching(/a static sticker may be at most 100 KB/),
      }),
    );
    expect(() => checkMediaFile({ ...sticker, bytes: webp(400 * KB, true) })).not.toThrow();
    expect(() => checkMediaFile({ ...sticker, bytes: webp(500 * KB + 1, true) })).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/an animated sticker may be at most 500 KB/) }),
    );
  });

  it('refuses a type the kind does not take, and Ogg without Opus, naming the file', () => {
    expect(() => checkMediaFile({ name: 'a.gif', kind: 'image', mimeType: 'image/gif', bytes: bytes(10) })).toThrow(
      expect.objectContaining({
        code: 'file_type_unsupported',
        message: expect.stringMatching(/"a\.gif" is image\/gif/),
      }),
    );
    expect(() =>
      checkMediaFile({ name: 'a.zip', kind: 'document', mimeType: 'application/zip', bytes: bytes(10) }),
    ).toThrow(expect.objectContaining({ code: 'file_type_unsupported' }));
    const vorbis = bytes(200, 'OggS\0\0vorbis');
    const opus = bytes(200, 'OggS\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0OpusHead');
    expect(() => checkMediaFile({ name: 'v.ogg', kind: 'audio', mimeType: 'audio/ogg', bytes: vorbis })).toThrow(
      /Opus/,
    );
    expect(() => checkMediaFile({ name: 'v.ogg', kind: 'audio', mimeType: 'audio/ogg', bytes: opus })).not.toThrow();
  });
});
