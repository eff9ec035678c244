/**
 * Media retrieval (whatsapp-wire.md): `GET /{version}/{media-id}` with the number's token answers a
 * short-lived download URL; `GET` of that URL with the same token answers the bytes. Wrong or
 * missing token → 401 (190); an id this token's numbers never received → 400 (100).
 */
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { randomDigits } from '../shared/random';
import { graphError } from './errors';
import type { CloudState } from './state';

/** One stored inbound media file. */
export interface StoredMedia {
  phoneNumberId: string;
  bytes: Buffer;
  mimeType: string;
}

const META_RE = /^\/(v\d+\.\d+)\/(\d+)\/?$/;
const DOWNLOAD_RE = /^\/media-download\/(\d+)\/?$/;

function bearer(req: Request): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1]?.trim();
}

/** The media id of a path this route answers (a known media id, or a download path), else undefined. */
export function mediaPathId(state: CloudState, path: string): string | undefined {
  const download = DOWNLOAD_RE.exec(path)?.[1];
  if (download) return download;
  const id = META_RE.exec(path)?.[2];
  return id && state.media.has(id) ? id : undefined;
}

/** Stores a file as if a customer had sent it to `phoneNumberId`; returns its media id. */
export function addMedia(state: CloudState, media: StoredMedia): string {
  const id = `9${randomDigits(14)}`;
  state.media.set(id, media);
  return id;
}

/** Answers a media read or download. */
export function handleMedia(state: CloudState, mediaId: string, baseUrl: string, req: Request, res: Response): void {
  const media = state.media.get(mediaId);
  const token = bearer(req);
  const owner = media ? state.phones.get(media.phoneNumberId) : undefined;
  if (!token || ![...state.phones.values()].some((p) => p.accessToken === token)) {
    const e = graphError(190, 401, { message: 'Invalid OAuth access token - Cannot parse access token' });
    res.status(e.status).json(e.body);
    return;
  }
  if (!media || owner?.accessToken !== token) {
    const e = graphError(100, 400, { details: `Unsupported get request. Object with ID '${mediaId}' does not exist` });
    res.status(e.status).json(e.body);
    return;
  }
  if (req.path.startsWith('/media-download')) {
    state.mediaDownloads += 1;
    res.setHeader('Content-Type', media.mimeType);
    res.send(media.bytes);
    return;
  }
  res.json({
    messaging_product: 'whatsapp',
    url: `${baseUrl}/media-download/${mediaId}`,
    mime_type: media.mimeType,
    sha256: createHash('sha256').update(media.bytes).digest('hex'),
    file_size: media.bytes.length,
    id: mediaId,
  });
}
