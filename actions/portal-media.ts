import { z } from 'zod';
import { downloadPortalFile, type PortalFileSource } from '../bitrix/portal-file';
import { createByteBudget } from '../lib/byte-budget';
import { ActionError } from '../lib/errors/app-error';
import { say } from '../lib/i18n/catalogue';
import { checkMediaFile, downloadCapOf, mediaKindOfType, mimeTypeOf } from '../providers/media-limits';
import type { MediaKind } from '../providers/provider';
import type { ActionContext } from './define-action';

/** A portal file uploaded to the provider: what its message needs (the bytes are gone by then). */
const uploadedFileSchema = z.object({
  mediaId: z.string(),
  name: z.string(),
  kind: z.enum(['image', 'video', 'audio', 'document', 'sticker']) satisfies z.ZodType<MediaKind>,
});
export type UploadedFile = z.infer<typeof uploadedFileSchema>;

/**
 * Portal-file bytes held at once by this process (each download reserves its kind's limit): 20
 * concurrent jobs of 100 MB documents would otherwise hold 2 GB. One budget per process by nature.
 */
const portalFileBytes = createByteBudget(200 * 2 ** 20);

type UploadContext = Pick<
  ActionContext,
  'bitrix' | 'portal' | 'provider' | 'urlRefusal' | 'urlDispatcher' | 'once' | 'remembered'
>;

/**
 * One portal file (a Disk file id or a `file` property's link) to the provider, once per call and
 * step: downloaded with the app's auth (stopping at its kind's limit), checked as WhatsApp would
 * (type and size per kind), uploaded, and its bytes dropped. A retried job whose step holds the
 * upload downloads nothing. The provider must take uploads: a portal file has no public link.
 */
export async function uploadPortalFile(
  ctx: UploadContext,
  step: number,
  source: PortalFileSource,
  asDocument: boolean,
  /** Refuses a file that does not fit where it goes (throws), before anything is uploaded. */
  fits?: (file: { name: string; kind: string }) => void,
): Promise<UploadedFile> {
  const upload = ctx.provider.uploadMedia?.bind(ctx.provider);
  if (!ctx.provider.capabilities.has('media_upload') || !upload)
    throw new ActionError(
      'unsupported_by_provider',
      `${ctx.provider.kind}: files from the portal are uploaded, and this provider takes files by public link only`,
      {
        says: say('wabaMedia.uploadOnlyByLink', { provider: ctx.provider.kind }),
      },
    );
  const held = await ctx.remembered(step);
  if (held !== null) return uploadedFileSchema.parse(JSON.parse(held));
  const kindOf = (mimeType: string) => (asDocument ? 'document' : mediaKindOfType(mimeType));
  const maxBytesOf = (name: string, contentType: string | undefined) =>
    downloadCapOf(kindOf(mimeTypeOf(name, contentType)));
  const deps = {
    bitrix: ctx.bitrix,
    portal: ctx.portal,
    refusal: ctx.urlRefusal,
    dispatcher: ctx.urlDispatcher,
    maxBytesOf,
    budget: portalFileBytes,
  };
  const file = await downloadPortalFile(deps, source);
  try {
    const mimeType = mimeTypeOf(file.name, file.contentType);
    const kind = kindOf(mimeType);
    checkMediaFile({ name: file.name, kind, mimeType, bytes: file.head, size: file.size });
    fits?.({ name: file.name, kind });
    const stored = await ctx.once(step, async () => {
      const { mediaId } = await upload({ chunks: file.chunks, mimeType, filename: file.name });
      return JSON.stringify({ mediaId, name: file.name, kind } satisfies UploadedFile);
    });
    return uploadedFileSchema.parse(JSON.parse(stored));
  } finally {
    file.release();
  }
}
