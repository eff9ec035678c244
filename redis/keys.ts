/**
 * The one place that spells Redis keys and the wait index's fields. Keys of one portal share the
 * `{p:<member_id>}` hash tag so each Lua script touches a single cluster slot; line rate windows use `{l:<line>}`.
 */
export function createKeys(prefix = 'wa') {
  const portalTag = (memberId: string) => `${prefix}:{p:${memberId}}`;
  return {
    prefix,
    portalIndex: () => `${prefix}:portals`,
    /** Global: the wait storage layout of the workers that run on this Redis (waits/storage-format.ts). */
    storageFormat: () => `${prefix}:storage-format`,
    portal: (memberId: string) => `${portalTag(memberId)}:portal`,
    refreshLock: (memberId: string) => `${portalTag(memberId)}:refresh-lock`,
    /** Hash: when the portal's tokens were last refreshed, whether that worked, when a reinstall was last asked for. */
    refreshFloor: (memberId: string) => `${portalTag(memberId)}:refresh-floor`,
    /** Fields of `refreshFloor` (times in ms of the injected clock). The Lua scripts get them as ARGV. */
    refreshFloorFields: { refreshedAt: 'at', succeeded: 'ok', warnedAt: 'warned' },
    restBucket: (memberId: string) => `${portalTag(memberId)}:rest-bucket`,
    lines: (memberId: string) => `${portalTag(memberId)}:lines`,
    /** A random value set anew by every write of the portal record or a line: in-process copies check it. */
    configVersion: (memberId: string) => `${portalTag(memberId)}:config-version`,
    /** Global: routes a webhook's phone_number_id to its portal and line. */
    lineByNumber: (phoneNumberId: string) => `${prefix}:line-by-number:${phoneNumberId}`,
    /** Meta counts throughput per business number, so the window is per phone number id. */
    lineRateWindow: (phoneNumberId: string) => `${prefix}:{n:${phoneNumberId}}:rate-window`,
    message: (memberId: string, providerMessageId: string) => `${portalTag(memberId)}:msg:${providerMessageId}`,
    /** Provider message ids already sent by one job step: a retried job never sends twice. */
    sentStep: (memberId: string, jobKey: string) => `${portalTag(memberId)}:sent:${jobKey}`,
    /** Global: webhook events already taken (message or status id); holds the event's run claim (inbound-seen-claim-1.lua). */
    webhookSeen: (eventId: string) => `${prefix}:webhook-seen:${eventId}`,
    /** String: an older release's run claim of this event (the job's id, a day): read by the open-line gap hold only. */
    inboundRun: (eventId: string) => `${prefix}:inbound-run:${eventId}`,
    callbackPending: (memberId: string) => `${portalTag(memberId)}:cb:pending`,
    callbackDue: (memberId: string) => `${portalTag(memberId)}:cb:due`,
    /** String: the global index is known to hold the portal at this ms or earlier (callback-enqueue-3.lua). */
    callbackIndexed: (memberId: string) => `${portalTag(memberId)}:cb:indexed`,
    /** The dispatchers' index moves under way for the portal (moving mark → start ms): callback-move-start-2.lua. */
    callbackMoves: (memberId: string) => `${portalTag(memberId)}:cb:moves`,
    /** Global: portals with callbacks waiting, scored by the earliest due time. */
    callbackPortals: () => `${prefix}:cb:portals`,
    /** Pub/sub channel: a callback became due (dispatchers wake instead of polling). */
    callbackWake: () => `${prefix}:cb:wake`,
    wait: (memberId: string, waitId: string) => `${portalTag(memberId)}:wait:${waitId}`,
    /** One hash per portal: its fields (below) → space-separated open wait ids. */
    waitIndex: (memberId: string) => `${portalTag(memberId)}:wait-index`,
    /** Field of `waitIndex`: the waits of a customer (phone or wa_id) on a line. The Lua scripts get it as ARGV. */
    waitIndexPhoneField: (lineId: string, phone: string) => `p:${lineId}:${phone}`,
    /** Field of `waitIndex`: an open wait itself (its stored JSON: lib/wait-record.lua says why there). */
    waitIndexWaitField: (waitId: string) => `w:${waitId}`,
    /** Field of `waitIndex`: the waits of a CRM document. */
    waitIndexDocumentField: (documentId: string) => `d:${documentId}`,
    /** A portal's open waits scored by deadline (ms): the time-out drain takes the due ones from here. */
    openWaits: (memberId: string) => `${portalTag(memberId)}:waits:open`,
    /** Global: portals with open waits, scored by their earliest deadline (the time-out drain's index). */
    waitDeadlinePortals: () => `${prefix}:waits:due-portals`,
    /** A reply a gone workflow never got, already passed on as an ordinary message. */
    replyPassedOn: (memberId: string, inboundMessageId: string) =>
      `${portalTag(memberId)}:reply-passed-on:${inboundMessageId}`,
    /** Which wait an inbound reply ended (a reply ends at most one wait). */
    replyTaken: (memberId: string, inboundMessageId: string) =>
      `${portalTag(memberId)}:reply-taken:${inboundMessageId}`,
    /** Inbound customer messages not taken by a wait: the open-line sync reads this stream. */
    inboundStream: (memberId: string) => `${portalTag(memberId)}:inbound`,
    /** Hash: a portal's outbound-event subscriptions (id → JSON). */
    hookSubscriptions: (memberId: string) => `${portalTag(memberId)}:hooks`,
    /** Stream: the portal's outbound events in order; each subscription reads it from its own cursor. */
    hookEvents: (memberId: string) => `${portalTag(memberId)}:hook-events`,
    /** An event id already emitted (a retried job or a re-run script emits it once). */
    hookSeen: (memberId: string, eventId: string) => `${portalTag(memberId)}:hook-seen:${eventId}`,
    /** Hash: a subscription's delivery state (cursor, attempts, next try). */
    hookState: (memberId: string, subscriptionId: string) => `${portalTag(memberId)}:hook:${subscriptionId}:state`,
    /** One deliverer at a time per subscription: the holder's token. */
    hookLease: (memberId: string, subscriptionId: string) => `${portalTag(memberId)}:hook:${subscriptionId}:lease`,
    /** List: the subscription's delivery log, newest first (last 100). */
    hookLog: (memberId: string, subscriptionId: string) => `${portalTag(memberId)}:hook:${subscriptionId}:log`,
    /** Global hash: subscription id → its portal (the CLI names a subscription by id alone). */
    hookOwners: () => `${prefix}:hook-owners`,
    /** Pub/sub channel: an event was emitted (deliverers wake instead of polling). */
    hookWake: () => `${prefix}:hook:wake`,
    /** String: when the customer last wrote to the line (Unix s), the start of the 24-hour window; with a TTL. */
    customerWindow: (memberId: string, lineId: string, customer: string) =>
      `${portalTag(memberId)}:win:${lineId}:${customer}`,
    /** String: the customer's wa_id when it differs from the number the line sent to (send answers); with a TTL. */
    customerWaId: (memberId: string, lineId: string, phone: string) =>
      `${portalTag(memberId)}:win-wa:${lineId}:${phone}`,
    /** Hash: line id → since when (ms) the line's inbound messages are tracked (no record after a day of it = closed). */
    windowTracking: (memberId: string) => `${portalTag(memberId)}:win-since`,
    /** String: a line's message templates as last read from the provider (JSON), refreshed on template webhooks. */
    lineTemplates: (memberId: string, lineId: string) => `${portalTag(memberId)}:templates:${lineId}`,
    /** String (short TTL): a process is reading the line's templates (the others use the cached list). */
    lineTemplatesReading: (memberId: string, lineId: string) => `${portalTag(memberId)}:templates-reading:${lineId}`,
    /** String: when (clock ms) reading the line's templates last failed (read again a minute later at the earliest). */
    lineTemplatesFailedAt: (memberId: string, lineId: string) => `${portalTag(memberId)}:templates-failed:${lineId}`,
    /** Global: WhatsApp Business Account id → the lines (`<member_id>|<line>` space-separated) whose templates it holds. */
    linesByWaba: (wabaId: string) => `${prefix}:lines-by-waba:${wabaId}`,
    /** A template to send instead of a free-form message that WhatsApp refuses later (131047), by call and step (`fallbackRefOf`). */
    windowFallback: (memberId: string, ref: string) => `${portalTag(memberId)}:win-fallback:${ref}`,
    /** List: the portal's last sent messages, newest first (JSON: id, line, phone, time): the settings page's activity. */
    recentSends: (memberId: string) => `${portalTag(memberId)}:recent-sends`,
    /** List: the portal's last failed calls, newest first (JSON: code, line, action, time). */
    recentErrors: (memberId: string) => `${portalTag(memberId)}:recent-errors`,
    // --- waba media: line health (waba-wire.md §3)
    /** Hash: line id → the line's last health read (JSON: quality, limit, throughput, status, last change). */
    lineHealth: (memberId: string) => `${portalTag(memberId)}:line-health`,
    /** Global: a number's display digits → `<member_id>|<line id>|<provider>|<phone number id>` (quality webhooks name no number id; an older release's route ends at the line id). */
    lineByDisplayNumber: (digits: string) => `${prefix}:line-by-display:${digits}`,
    /** Hash: line id → when its last webhook arrived (ms). */
    lineWebhookAt: (memberId: string) => `${portalTag(memberId)}:line-webhook-at`,
    /** Webhook-API token record (hash; the token itself only as its HMAC). */
    apiToken: (memberId: string, tokenId: string) => `${portalTag(memberId)}:api-token:${tokenId}`,
    /** Set of a portal's webhook-API token ids. */
    apiTokens: (memberId: string) => `${portalTag(memberId)}:api-tokens`,
    /** Global: HMAC of a token → `<member_id>|<token id>` (the lookup an incoming request makes). */
    apiTokenByHash: (tokenHash: string) => `${prefix}:api-token-by-hash:${tokenHash}`,
    /** Global: token id → member id (the CLI names tokens by id alone). */
    apiTokenOwner: (tokenId: string) => `${prefix}:api-token-owner:${tokenId}`,
    /** Request windows of one token (zsets); both share the token's tag so one script takes both. */
    apiRate: (tokenId: string) => `${prefix}:{t:${tokenId}}:api-rate`,
    apiRateCheckPhone: (tokenId: string) => `${prefix}:{t:${tokenId}}:api-rate-check-phone`,
    /** A message sent through the webhook API (hash), by the id the API answered with. */
    apiMessage: (memberId: string, messageId: string) => `${portalTag(memberId)}:api-msg:${messageId}`,
    /** The API message id of a sent message, by its provider message id (checkMessageStatus by wamid). */
    apiMessageByProviderId: (memberId: string, providerMessageId: string) =>
      `${portalTag(memberId)}:api-msg-by-provider-id:${providerMessageId}`,
    /** A caller's idempotency key on a line → the API message id of its first request. */
    apiIdempotency: (memberId: string, lineId: string, keyDigest: string) =>
      `${portalTag(memberId)}:api-idem:${lineId}:${keyDigest}`,
    // --- settings page: the session door's request windows (sorted sets: request id → ms it came)
    /** Global: one client address's (digest) session requests. */
    sessionRateByAddress: (addressDigest: string) => `${prefix}:session-rate:addr:${addressDigest}`,
    /** One portal's session requests (by the member_id they name). */
    sessionRateByPortal: (memberId: string) => `${portalTag(memberId)}:session-rate`,
    /**
     * A client address (keyed digest) a user of the portal signed in from (a string with a TTL): it
     * skips the portal's window (app/settings/session-rate-limit.ts). Tagged with the portal so one
     * script reads it and takes that window.
     */
    sessionKnownClient: (memberId: string, clientDigest: string) =>
      `${portalTag(memberId)}:session-known:${clientDigest}`,
    /** One page-session user's session renewals, which skip the portal's window (from any address). */
    sessionRenewals: (memberId: string, userId: number) => `${portalTag(memberId)}:session-rate:renew:${userId}`,
    // --- openlines
    /** Hash: WhatsApp line id → its open-line attachment (JSON). */
    openLineAttachments: (memberId: string) => `${portalTag(memberId)}:ol:attached`,
    /** When the portal's admin was last told its address was refused (field per note kind): one note per hour, all processes. */
    addressRefusalNotes: (memberId: string) => `${portalTag(memberId)}:address-refusal-notes`,
    /** The field of `addressRefusalNotes` for refusals (`what` + line '') or for drops of `what` on a line. */
    addressRefusalNoteField: (kind: 'refused' | 'dropped', what: string, lineId: string) => `${kind}|${what}|${lineId}`,
    /**
     * Hash: when an attachment's switch-off check was last queued again by a refused customer
     * message or the maintenance sweep (ms of the injected clock; `openLineCheckRequeueField`), and
     * how often since its check last wrote (`openLineCheckRequeueCountField`): the period grows with
     * it. A time field per attachment ever re-queued and a count per line (tiny); lives two hours
     * past the last claim, at least ten periods. The name is kept from when only refusals claimed it.
     */
    openLineCheckRequeues: (memberId: string) => `${portalTag(memberId)}:ol:refused-checks`,
    /** The field of `openLineCheckRequeues` with the time of a line's attachment's last re-queue. */
    openLineCheckRequeueField: (lineId: string, openLineId: string) => `${lineId}|${openLineId}`,
    /**
     * The field of `openLineCheckRequeues` counting a line's attachment's re-queues since its check
     * last wrote. Per line, not per open line: a line has one attachment at a time, so storing,
     * replacing or removing its record deletes the count in the same transaction (a new attachment
     * starts from nothing). Older releases named it `<line>|<open line>|n`: such a field is never
     * read again, and goes with the hash's expiry.
     */
    openLineCheckRequeueCountField: (lineId: string) => `${lineId}|n`,
    /** Hash: `<open line>|<chat id>` → the portal's CHAT_ID of that customer's chat (send.messages' session). */
    openLineChats: (memberId: string) => `${portalTag(memberId)}:ol:chats`,
    /** Zset: one chat's pending items, scored by arrival order. */
    openLineQueue: (memberId: string, chatKey: string) => `${portalTag(memberId)}:ol:q:${chatKey}`,
    /** Zset: a portal's chats with pending items, scored by when they are next due (lease or retry). */
    openLineDue: (memberId: string) => `${portalTag(memberId)}:ol:due`,
    /** Hash: chat key → the token of the dispatcher holding its lease (settle and renewal check it). */
    openLineLease: (memberId: string) => `${portalTag(memberId)}:ol:lease`,
    /** Counter giving a chat's items that arrived in the same ms their order (lives a minute). */
    openLineSeq: (memberId: string, chatKey: string, atMs: number) =>
      `${portalTag(memberId)}:ol:seq:${chatKey}:${atMs}`,
    /**
     * Hash of one customer chat's order (lives 30 days after its last use): `n` the last number the
     * webhook door gave a message, `next` the number the dispatcher settles next, `gap` since when it
     * waits for a missing number, `wait` set while the chat sleeps on that gap (an arrival wakes it).
     */
    openLineOrder: (memberId: string, chatKey: string) => `${portalTag(memberId)}:ol:ord:${chatKey}`,
    /** The number a customer message got at the door (a repeated webhook gets the same one). */
    openLineNumberOf: (memberId: string, messageId: string) => `${portalTag(memberId)}:ol:num:${messageId}`,
    /**
     * Hash of one chat's operator messages on their way to WhatsApp: `n` the last number the event
     * door gave, `next` the number that goes next, `gap` ('since|awaited') a missing number waited for.
     */
    openLineOperatorOrder: (memberId: string, chatKey: string) => `${portalTag(memberId)}:ol:op-ord:${chatKey}`,
    /** The number an operator message got at the event door (a repeated event gets the same one). */
    openLineOperatorNumberOf: (memberId: string, portalMessageId: string) =>
      `${portalTag(memberId)}:ol:op-num:${portalMessageId}`,
    /** An item id already queued (idempotency by message id). */
    openLineSeen: (memberId: string, itemId: string) => `${portalTag(memberId)}:ol:seen:${itemId}`,
    /** A business message mirrored as the employee (no chat yet): its echo must not go to WhatsApp. */
    openLineEcho: (memberId: string, echoId: string) => `${portalTag(memberId)}:ol:echo:${echoId}`,
    /** An operator message's WhatsApp id → its chat (a later `failed` status becomes a note there). */
    openLineSent: (memberId: string, providerMessageId: string) =>
      `${portalTag(memberId)}:ol:sent:${providerMessageId}`,
    /** Global zset: portals with chat items, scored by the earliest due time. */
    openLinePortals: () => `${prefix}:ol:portals`,
    /** Pub/sub channel: a chat item was queued (dispatchers wake instead of polling). */
    openLineWake: () => `${prefix}:ol:wake`,
  };
}

export type RedisKeys = ReturnType<typeof createKeys>;
