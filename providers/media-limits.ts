import { ActionError } from '../lib/errors/app-error';
import { say, type Words } from '../lib/i18n/catalogue';
import type { MediaKind } from './provider';

/**
 * What WhatsApp takes per kind (waba-wire.md §4, the same on GupShup underneath): MIME types and
 * sizes. Captions exist for image, video and document only; a `.webp` is a sticker, never an image.
 */
const KB = 1024;
const MB = 1024 * KB;
const documentTypes = [
  'text/plain',
  'application/pdf',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
];
export const mediaRules: Record<MediaKind, { types: string[]; maxBytes: number; label: string }> = {
  image: { types: ['image/jpeg', 'image/png'], maxBytes: 5 * MB, label: 'image (JPEG, PNG)' },
  video: { types: ['video/mp4', 'video/3gpp'], maxBytes: 16 * MB, label: 'video (MP4, 3GP)' },
  audio: {
    types: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'],
    maxBytes: 16 * MB,
    label: 'audio (AAC, AMR, MP3, M4A, OGG with Opus)',
  },
  document: { types: documentTypes, maxBytes: 100 * MB, label: 'document (PDF, Word, Excel, PowerPoint, text)' },
  sticker: { types: ['image/webp'], maxBytes: 500 * KB, label: 'sticker (WebP)' },
};
/** A static sticker's limit; animated ones may have the 500 KB of `mediaRules.sticker`. */
const STATIC_STICKER_MAX = 100 * KB;
/** The largest file any kind takes. */
export const MAX_MEDIA_BYTES = 100 * MB;

/** Where a download of a file of this kind may stop: past it WhatsApp refuses the file anyway. */
export function downloadCapOf(kind: MediaKind): number {
  return mediaRules[kind].maxBytes;
}

/** MIME type by file extension, for files whose server says nothing useful (octet-stream). */
const byExtension: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  mp4: 'video/mp4',
  '3gp': 'video/3gpp',
  aac: 'audio/aac',
  amr: 'audio/amr',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  txt: 'text/plain',
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

/** The MIME type of a file: its server's word unless generic, else by its name's extension. */
export function mimeTypeOf(filename: string, contentType: string | undefined): string {
  const given = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (given && given !== 'application/octet-stream' && given !== 'binary/octet-stream') return given;
  const dot = filename.lastIndexOf('.');
  return (
    (dot >= 0 ? byExtension[filename.slice(dot + 1).toLowerCase()] : undefined) ?? (given || 'application/octet-stream')
  );
}

/** How a file of this MIME type is shown: its media kind, else a document. */
export function mediaKindOfType(mimeType: string): MediaKind {
  for (const kind of ['image', 'video', 'audio', 'sticker'] as const)
    if (mediaRules[kind].types.includes(mimeType)) return kind;
  return 'document';
}

/** The kinds in the portal's languages (what an error names). */
const KIND_WORDS: Record<MediaKind, Words> = {
  image: { en: 'image', ru: 'изображение' },
  video: { en: 'video', ru: 'видео' },
  audio: { en: 'audio', ru: 'аудио' },
  document: { en: 'document', ru: 'документ' },
  sticker: { en: 'sticker', ru: 'стикер' },
};
const STATIC_STICKER: Words = { en: 'a static sticker', ru: 'статичный стикер' };
const ANIMATED_STICKER: Words = { en: 'an animated sticker', ru: 'анимированный стикер' };

const ascii = (bytes: Uint8Array, from: number, length: number) =>
  String.fromCharCode(...bytes.subarray(from, from + length));

/** An animated WebP: a VP8X header with the animation flag (RIFF…WEBPVP8X, flags byte bit 1). */
function isAnimatedWebp(bytes: Uint8Array): boolean {
  return ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 8) === 'WEBPVP8X' && ((bytes[20] ?? 0) & 0x02) !== 0;
}

/** An Ogg file whose first stream is Opus (WhatsApp takes Ogg audio only with the Opus codec). */
function isOggOpus(bytes: Uint8Array): boolean {
  return ascii(bytes, 0, 4) === 'OggS' && ascii(bytes, 0, Math.min(bytes.length, 128)).includes('OpusHead');
}

const sizeText = (bytes: number) => (bytes >= MB ? `${(bytes / MB).toFixed(1)} MB` : `${Math.ceil(bytes / KB)} KB`);

/**
 * Checks a file WhatsApp would refuse, before anything is sent: its type for the kind and its
 * size; the error names the file. A document takes images, video and audio too (sent as files).
 */
export function checkMediaFile(file: {
  name: string;
  kind: MediaKind;
  mimeType: string;
  /** The file, or (with `size`) its first bytes: enough to tell its codec and animation. */
  bytes: Uint8Array;
  size?: number;
}): void {
  const size = file.size ?? file.bytes.length;
  const rule = mediaRules[file.kind];
  const allowed =
    file.kind === 'document'
      ? Object.values(mediaRules).some((r) => r.types.includes(file.mimeType))
      : rule.types.includes(file.mimeType);
  if (!allowed) {
    const detail = `"${file.name}" is ${file.mimeType}; a ${file.kind} must be ${rule.label}`;
    const allowedTypes = rule.label.replace(/^[a-z]+ \(|\)$/g, '');
    const vars = { name: file.name, type: file.mimeType, kind: KIND_WORDS[file.kind], allowed: allowedTypes };
    throw new ActionError('file_type_unsupported', detail, { says: say('wabaMedia.fileTypeUnsupported', vars) });
  }
  if (file.mimeType === 'audio/ogg' && !isOggOpus(file.bytes))
    throw new ActionError('file_type_unsupported', `"${file.name}": Ogg audio must use the Opus codec`, {
      says: say('wabaMedia.oggNotOpus', { name: file.name }),
    });
  const animated = file.kind === 'sticker' && isAnimatedWebp(file.bytes);
  const max = file.kind === 'sticker' && !animated ? STATIC_STICKER_MAX : rule.maxBytes;
  if (size > max) {
    const article = file.kind === 'image' ? 'an' : 'a';
    const kindWords = KIND_WORDS[file.kind];
    const words: Words =
      file.kind === 'sticker'
        ? animated
          ? ANIMATED_STICKER
          : STATIC_STICKER
        : { en: `${article} ${kindWords.en}`, ru: kindWords.ru };
    const what = words.en;
    const vars = { name: file.name, size: sizeText(size), what: words, max: sizeText(max) };
    throw new ActionError(
      'file_too_large',
      `"${file.name}" is ${sizeText(size)}; ${what} may be at most ${sizeText(max)}`,
      { says: say('wabaMedia.fileTooLarge', vars) },
    );
  }
}
