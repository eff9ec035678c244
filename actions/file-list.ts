import type { MediaKind } from '../providers/provider';
import { invalidNamed } from './property-issues';

/** The files property's name (send_file's `files`). */
const filesName = { ru: 'Файлы', en: 'Files' };

/** One file of send_file: its URL and an optional title. */
export interface FileItem {
  title?: string;
  url: string;
}

export type { MediaKind };

// Extensions WhatsApp shows inline (Cloud API supported media types); anything else is a document.
const kinds: Record<string, MediaKind> = {
  jpg: 'image',
  jpeg: 'image',
  png: 'image',
  // WhatsApp takes webp only as a sticker (waba-wire.md §4): sent as an image, Meta refuses it.
  webp: 'sticker',
  mp4: 'video',
  '3gp': 'video',
  mp3: 'audio',
  ogg: 'audio',
  aac: 'audio',
  amr: 'audio',
  m4a: 'audio',
  opus: 'audio',
};

/** Parses `title|url` or `url` lines; every URL must be http(s), checked before anything is sent. */
export function parseFileList(lines: string[]): FileItem[] {
  return lines.map((line, i) => {
    const bar = line.indexOf('|');
    const title = bar >= 0 ? line.slice(0, bar).trim() : '';
    const url = (bar >= 0 ? line.slice(bar + 1) : line).trim();
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.hostname) {
      throw invalidNamed(filesName, 'prop.not_http_url', { url }, i + 1);
    }
    return title ? { title, url } : { url };
  });
}

/** The media kind of a URL by its extension (image/video/audio/sticker), else document. */
export function mediaKindOf(url: string): MediaKind {
  const name = new URL(url).pathname.split('/').pop() ?? '';
  const dot = name.lastIndexOf('.');
  return dot >= 0 ? (kinds[name.slice(dot + 1).toLowerCase()] ?? 'document') : 'document';
}

/** The file name in a URL's path, for documents without a title. */
export function fileNameOfUrl(url: string): string {
  const last = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  return last || 'file';
}
