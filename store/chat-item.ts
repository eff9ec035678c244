import { z } from 'zod';

/** The user and chat of a customer's chat item (imconnector.send.messages, openlines-wire.md §4). */
const customerPartsSchema = z.object({
  user: z.object({
    id: z.string(),
    name: z.string().optional(),
    phone: z.string().optional(),
    url: z.string().optional(),
  }),
  message: z.object({
    id: z.string(),
    date: z.number(),
    text: z.string().optional(),
    files: z.array(z.object({ url: z.string(), name: z.string() })).optional(),
    user_id: z.number().optional(),
    /** A reply a robot's wait took: no CRM tracking (the robot's deal already has the customer). */
    disable_crm: z.literal('Y').optional(),
  }),
  chat: z.object({ id: z.string(), name: z.string().optional(), url: z.string().optional() }),
});

/** One thing to show in (or confirm to) an open-line chat, delivered in order per chat. */
export const chatItemSchema = z.discriminatedUnion('kind', [
  /** A customer's message (send.messages). */
  z.object({
    kind: z.literal('customer'),
    id: z.string(),
    openLineId: z.string(),
    /** Its number in the chat, given at receipt (the webhook door): the chat's messages go in this order. */
    seq: z.number().int().positive().optional(),
    ...customerPartsSchema.shape,
    /**
     * The customer's media: its link is signed when the item is sent (a link signed at queue time
     * would expire while the chat waits); `fallbackText` is shown instead when the portal could not take the file.
     */
    media: z.object({ lineId: z.string(), mediaId: z.string(), name: z.string(), fallbackText: z.string() }).optional(),
  }),
  /** What the business sent outside the chat (a robot): a grey line, or as the employee when no chat exists yet. */
  z.object({
    kind: z.literal('business'),
    id: z.string(),
    openLineId: z.string(),
    chatId: z.string(),
    text: z.string(),
    user: customerPartsSchema.shape.user,
    /** The employee a first message is posted as (no chat yet). */
    employeeId: z.number(),
  }),
  /**
   * A system note in a chat the portal named (an operator message refused); when the app may not
   * post there, it goes through the connector as `viaConnector`'s employee (like a business item).
   */
  z.object({
    kind: z.literal('note'),
    id: z.string(),
    portalChatId: z.string(),
    text: z.string(),
    viaConnector: z
      .object({
        openLineId: z.string(),
        chatId: z.string(),
        user: customerPartsSchema.shape.user,
        employeeId: z.number(),
      })
      .optional(),
  }),
  /**
   * A customer message with a number that is not shown in the chat (a wait took it, the line was
   * switched off meanwhile): it settles its number, so the chat's later messages do not wait for it.
   */
  z.object({ kind: z.literal('skip'), id: z.string(), seq: z.number().int().positive() }),
  /** Confirms an operator message (status.delivery). */
  z.object({
    kind: z.literal('delivery'),
    id: z.string(),
    openLineId: z.string(),
    chatId: z.string(),
    portalChatId: z.string(),
    portalMessageId: z.string(),
    providerMessageIds: z.array(z.string()),
    date: z.number(),
  }),
]);
export type ChatItem = z.infer<typeof chatItemSchema>;
