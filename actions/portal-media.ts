import { downloadPortalFile, type PortalFileSource } from '../bitrix/portal-file';
import { ActionError } from '../lib/errors/app-error';
import { say } from '../lib/i18n/catalogue';
import { checkMediaFile, MAX_MEDIA_BYTES, mediaKindOfType, mimeTypeOf } from '../providers/media-limits';
import type { MediaKind } from '../providers/provider';
import type { ActionContext } from './define-action';

/** A portal file downloaded and checked: ready to upload to the provider. */
export interface PreparedFile {
  name: string;
  kind: MediaKind;
  mimeType: string;
  bytes: Uint8Array<ArrayBuffer>;
}

/**
 * Downloads one portal file (a Disk file id or a `file` property's link) and checks it as WhatsApp would (type and
 * size per kind), so a bad file stops the robot before anything is sent. The provider must take
 * uploads: a portal file has no public link it could fetch.
 */
export async function preparePortalFile(
  ctx: Pick<ActionContext, 'bitrix' | 'portal' | 'provider' | 'urlRefusal'>,
  source: PortalFileSource,
  asDocument: boolean,
): Promise<PreparedFile> {
  if (!ctx.provider.capabilities.has('media_upload') || !ctx.provider.uploadMedia)
    throw new ActionError(
      'unsupported_by_provider',
      `${ctx.provider.kind}: files from the portal are uploaded, and this provider takes files by public link only`,
      {
        says: say('wabaMedia.uploadOnlyByLink', { provider: ctx.provider.kind }),
      },
    );
  const deps = { bitrix: ctx.bitrix, portal: ctx.portal, refusal: ctx.urlRefusal, maxBytes: MAX_MEDIA_BYTES };
  const file = await downloadPortalFile(deps, source);
  const mimeType = mimeTypeOf(file.name, file.contentType);
  const kind = asDocument ? 'document' : mediaKindOfType(mimeType);
  checkMediaFile({ name: file.name, kind, mimeType, bytes: file.bytes });
  return { name: file.name, kind, mimeType, bytes: file.bytes };
}

/** Uploads a prepared file once per call and step (a retried job reuses the id); its media id. */
export function uploadPrepared(ctx: Pick<ActionContext, 'once' | 'provider'>, step: number, file: PreparedFile) {
  const upload = ctx.provider.uploadMedia?.bind(ctx.provider);
  if (!upload)
    throw new ActionError('unsupported_by_provider', `${ctx.provider.kind}: media_upload`, {
      says: say('error.detail.unsupported', { provider: ctx.provider.kind, capability: 'media_upload' }),
    });
  return ctx.once(step, async () => {
    const { mediaId } = await upload({ bytes: file.bytes, mimeType: file.mimeType, filename: file.name });
    return mediaId;
  });
}
