import { Readable } from 'node:stream';
import { Router } from 'express';
import { endpoints } from '../../config/endpoints';
import type { Clock } from '../../lib/clock';
import { AppError } from '../../lib/errors/app-error';
import type { Logger } from '../../lib/logger';
import type { PathSigner } from '../../lib/signed-url';
import { mediaPath } from '../../openlines/media-url';
import { type FetchedMedia, fetchCloudMedia } from '../../providers/cloud-api/cloud-api-media';
import type { Line, LineStore } from '../../store/line-store';

export interface MediaDoorDeps {
  lines: Pick<LineStore, 'get'>;
  mediaSigner: PathSigner;
  /** Fetches a media file with the line's token (the Cloud API by default). */
  fetchMedia?: (line: Line, mediaId: string) => Promise<FetchedMedia>;
  config: { WA_GRAPH_URL: string; WA_GRAPH_VERSION: string };
  clock: Clock;
  log: Logger;
}

const forbidden = () =>
  new AppError('link_refused', 'the link is expired or not signed by this app', { kind: 'forbidden' });

/**
 * Customers' media for Bitrix24 (openlines-wire.md §4): the link is signed over its path and expiry,
 * so an expired or altered one is a 403 before anything is fetched; a good one streams the file,
 * fetched with the line's token — the provider's own authenticated link never leaves the app.
 */
export function createMediaDoor(deps: MediaDoorDeps): Router {
  const router = Router();
  const fetchMedia =
    deps.fetchMedia ??
    ((line: Line, mediaId: string) =>
      fetchCloudMedia(
        { graphUrl: deps.config.WA_GRAPH_URL, version: deps.config.WA_GRAPH_VERSION },
        line.accessToken,
        mediaId,
      ));
  router.get(endpoints.media, async (req, res) => {
    const { memberId, lineId, mediaId, name } = req.params;
    const exp = typeof req.query.exp === 'string' ? req.query.exp : '';
    const sig = typeof req.query.sig === 'string' ? req.query.sig : '';
    const path = mediaPath({ memberId, lineId, mediaId, name });
    if (!deps.mediaSigner.verify(path, exp, sig, deps.clock.now())) throw forbidden();
    const line = await deps.lines.get(memberId, lineId);
    if (line?.provider !== 'cloud')
      throw new AppError('media_unavailable', 'the line of this file is gone', { kind: 'not_found' });
    const media = await fetchMedia(line, mediaId);
    res.status(200).setHeader('Content-Type', media.contentType);
    if (media.length !== undefined) res.setHeader('Content-Length', String(media.length));
    res.setHeader('Cache-Control', 'private, no-store');
    // The type is the customer's: a download, never a page the browser renders on the app's origin.
    res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    // The web stream type of fetch and node's differ only in name here.
    const body = Readable.fromWeb(media.body as import('node:stream/web').ReadableStream<Uint8Array>);
    body.on('error', (error) => {
      deps.log.warn({ err: error, memberId, lineId }, 'media stream broke off');
      res.destroy(error);
    });
    body.pipe(res);
  });
  return router;
}
