/**
 * fast-check arbitraries for the doors' bodies: PHP-style forms (keys of any nesting, values in
 * any encoding, valid or not) and webhook JSON shaped like Meta's and Green-API's notifications
 * with random values, random extra keys and sometimes a broken serialization.
 */
import fc from 'fast-check';

const piece = (text: string): Buffer => Buffer.from(text, 'utf8');

const bitrixNames = fc.constantFrom(
  ...['auth', 'properties', 'document_id', 'data', 'FIELDS', 'ID', 'member_id', 'application_token'],
  ...['event', 'code', 'event_token', 'workflow_id', 'use_subscription', 'timeout_duration'],
);
const prototypeTraps = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
);

/** A name a key segment might have: Bitrix24's own and prototype traps (weighted up: they find bugs), or anything. */
const segmentName = fc.oneof(
  { weight: 3, arbitrary: bitrixNames },
  { weight: 3, arbitrary: prototypeTraps },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.nat({ max: 30 }).map(String) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8, unit: 'grapheme' }) },
);

/** A form key: a root and up to 4 bracket segments, or (one key in a hundred) 9–12, past FORM_DEPTH. */
const formKey = fc
  .tuple(
    segmentName,
    fc.oneof(
      { weight: 99, arbitrary: fc.array(segmentName, { maxLength: 4 }) },
      { weight: 1, arbitrary: fc.array(segmentName, { minLength: 9, maxLength: 12 }) },
    ),
  )
  .map(([root, segments]) => `${root}${segments.map((s) => `[${s}]`).join('')}`);

/** Text as a sender might put it on the wire: percent-encoded, or raw UTF-8 (`&`/`=` inside then split the field). */
const wireText = (text: fc.Arbitrary<string>): fc.Arbitrary<Buffer> =>
  fc.oneof(
    { weight: 3, arbitrary: text.map((t) => piece(encodeURIComponent(t))) },
    { weight: 1, arbitrary: text.map(piece) },
  );

/** Random bytes, raw or percent-encoded: mostly not UTF-8. */
const garbage = fc.oneof(
  fc
    .uint8Array({ minLength: 1, maxLength: 12 })
    .map((b) => piece(Array.from(b, (x) => `%${x.toString(16).padStart(2, '0')}`).join(''))),
  fc.uint8Array({ minLength: 1, maxLength: 12 }).map((b) => Buffer.from(b)),
);

const formValue = fc.oneof(
  fc.string({ maxLength: 20, unit: 'grapheme' }),
  fc.constantFrom('wa_send_text', 'Y', 'N', 'ONCRMDEALUPDATE', 'DEAL_1', '%', '100%', '+', '79161234567'),
);

/** One `key=value` field (sometimes a bare key). */
const formField = fc
  .tuple(wireText(formKey), fc.option(wireText(formValue), { nil: undefined }))
  .map(([key, value]) => (value === undefined ? key : Buffer.concat([key, piece('='), value])));

/**
 * A whole form body: one of `prefixes` (e.g. a valid auth block and robot call, so validation past
 * the token check runs too), random fields, and in one body of five a run of random bytes somewhere.
 */
export const formBody = (prefixes: string[]): fc.Arbitrary<Buffer> =>
  fc
    .tuple(
      fc.constantFrom(...prefixes),
      fc.array(formField, { maxLength: 40, size: 'medium' }),
      fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.tuple(garbage, fc.nat()) }),
    )
    .map(([prefix, fields, junk]) => {
      const all = prefix ? [piece(prefix), ...fields] : [...fields];
      if (junk) all.splice(junk[1] % (all.length + 1), 0, junk[0]);
      return Buffer.concat(all.flatMap((f, i) => (i === 0 ? [f] : [piece('&'), f])));
    });

/**
 * A value nested `levels` deep, as a placeholder string: spelled out only in the JSON text, since
 * JSON.stringify itself gives up a few thousand levels down (a 2 MB body can nest far deeper).
 */
const DEEP = /"@@deep:(\d+)@@"/g;
const deep = fc
  .oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1_000, max: 6_000 }))
  .map((levels) => `@@deep:${levels}@@`);
const spellDeep = (json: string): string =>
  json.replace(DEEP, (_, levels: string) => `${'{"a":['.repeat(Number(levels))}0${']}'.repeat(Number(levels))}`);

/** A JSON text, mostly valid, sometimes cut, spliced or with a stray byte. */
const breakable = (value: fc.Arbitrary<unknown>): fc.Arbitrary<Buffer> =>
  fc
    .tuple(value, fc.nat({ max: 9 }), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 3 }))
    .map(([v, how, at, junk]) => {
      const text = piece(spellDeep(JSON.stringify(v) ?? 'null'));
      const cut = text.length === 0 ? 0 : at % text.length;
      if (how === 0) return text.subarray(0, cut);
      if (how === 1) return Buffer.concat([text.subarray(0, cut), Buffer.from(junk), text.subarray(cut)]);
      return text;
    });

const anyJson = fc.oneof({ weight: 30, arbitrary: fc.jsonValue({ maxDepth: 3 }) }, { weight: 1, arbitrary: deep });
/** Random extra keys (prototype traps among them) merged into an object. */
const extra = fc.dictionary(fc.oneof(segmentName, fc.string({ maxLength: 6 })), anyJson, { maxKeys: 3 });
const withNoise = <T extends object>(base: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 9, arbitrary: fc.tuple(base, extra).map(([b, e]) => ({ ...e, ...b })) },
    { weight: 1, arbitrary: anyJson },
  );
const text = fc.string({ maxLength: 16, unit: 'grapheme' });
const idOrNoise = fc.oneof({ weight: 9, arbitrary: text }, { weight: 1, arbitrary: anyJson });

/** Meta's webhook envelope with messages, statuses and errors of random content. */
export const whatsappBody = (phoneNumberId: string): fc.Arbitrary<Buffer> => {
  const message = withNoise(
    fc.record(
      {
        id: idOrNoise,
        from: fc.oneof(fc.constant('79161234567'), idOrNoise),
        timestamp: idOrNoise,
        type: fc.constantFrom('text', 'image', 'button', 'interactive', 'reaction', 'system', 'unsupported'),
        text: withNoise(fc.record({ body: idOrNoise })),
        context: withNoise(fc.record({ id: idOrNoise })),
        // Meta nests objects in a message (interactive replies, referrals); sometimes thousands of levels here.
        interactive: fc.oneof(anyJson, deep),
      },
      { requiredKeys: ['id', 'from', 'type'] },
    ),
  );
  const status = withNoise(fc.record({ id: idOrNoise, status: idOrNoise, recipient_id: idOrNoise }));
  const value = withNoise(
    fc.record(
      {
        messaging_product: fc.constant('whatsapp'),
        metadata: withNoise(
          fc.record({
            phone_number_id: fc.oneof(
              { weight: 4, arbitrary: fc.constant(phoneNumberId) },
              { weight: 1, arbitrary: idOrNoise },
            ),
          }),
        ),
        contacts: fc.array(
          withNoise(fc.record({ wa_id: idOrNoise, profile: withNoise(fc.record({ name: idOrNoise })) })),
        ),
        messages: fc.array(message, { maxLength: 3 }),
        statuses: fc.array(status, { maxLength: 3 }),
        errors: fc.array(withNoise(fc.record({ code: fc.integer(), title: text })), { maxLength: 2 }),
      },
      { requiredKeys: ['metadata'] },
    ),
  );
  const change = withNoise(fc.record({ field: fc.constantFrom('messages', 'x'), value }));
  const entry = withNoise(fc.record({ id: text, changes: fc.array(change, { minLength: 1, maxLength: 2 }) }));
  const envelope = withNoise(
    fc.record({
      object: fc.constantFrom('whatsapp_business_account', 'page'),
      entry: fc.array(entry, { minLength: 1, maxLength: 2 }),
    }),
  );
  return breakable(envelope);
};

/** A Green-API notification (incoming message or status) with random content. */
export const greenApiBody = (idInstance: string): fc.Arbitrary<Buffer> => {
  const hook = withNoise(
    fc.record(
      {
        typeWebhook: mostly(
          fc.constantFrom('incomingMessageReceived', 'outgoingMessageStatus', 'stateInstanceChanged'),
        ),
        instanceData: withNoise(fc.record({ idInstance: mostly(fc.constant(idInstance)) })),
        timestamp: fc.oneof(fc.nat(), fc.double(), idOrNoise),
        idMessage: idOrNoise,
        senderData: withNoise(fc.record({ chatId: mostly(fc.constant('79161234567@c.us')), senderName: idOrNoise })),
        messageData: withNoise(
          fc.record(
            {
              typeMessage: fc.constantFrom('textMessage', 'extendedTextMessage', 'imageMessage', 'documentMessage'),
              textMessageData: withNoise(fc.record({ textMessage: idOrNoise })),
              quotedMessage: withNoise(fc.record({ stanzaId: idOrNoise })),
              // A file message carries nested data; sometimes thousands of levels here.
              fileMessageData: fc.oneof(anyJson, deep),
            },
            { requiredKeys: ['typeMessage'] },
          ),
        ),
        chatId: idOrNoise,
        status: mostly(fc.constantFrom('sent', 'delivered', 'read', 'failed', 'noAccount')),
        description: idOrNoise,
      },
      { requiredKeys: ['typeWebhook', 'instanceData', 'idMessage'] },
    ),
  );
  return breakable(hook);
};

/** Mostly `good`, sometimes anything: enough valid calls get past validation to the queue. */
const mostly = <T>(good: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: anyJson });

/** JSON posted to the Bitrix24 doors (they take JSON as well as forms): robot calls and events. */
export const bitrixJsonBody = (auth: Record<string, string>): fc.Arbitrary<Buffer> =>
  breakable(
    withNoise(
      fc.record(
        {
          auth: mostly(fc.constant(auth)),
          // An object too: an own `toString` there once broke the events door's String(event).
          event: fc.oneof(
            { weight: 2, arbitrary: fc.constantFrom('ONCRMDEALUPDATE', 'ONCRMLEADUPDATE', 'ONIMCONNECTORMESSAGEADD') },
            { weight: 1, arbitrary: text },
            { weight: 2, arbitrary: fc.dictionary(segmentName, anyJson, { minKeys: 1, maxKeys: 3 }) },
          ),
          workflow_id: mostly(fc.uuid()),
          event_token: mostly(fc.uuid()),
          code: mostly(fc.constantFrom('wa_send_text', 'wa_wait_reply', 'no_such_action')),
          document_id: mostly(fc.constant(['crm', 'CCrmDocumentDeal', 'DEAL_1'])),
          properties: mostly(fc.dictionary(segmentName, fc.oneof(text, fc.array(text)))),
          use_subscription: mostly(fc.constantFrom('Y', 'N')),
          timeout_duration: mostly(fc.oneof(fc.nat(), fc.double(), text)),
          data: withNoise(fc.record({ FIELDS: withNoise(fc.record({ ID: idOrNoise })) })),
        },
        { requiredKeys: ['event', 'auth', 'workflow_id', 'event_token', 'code', 'document_id'] },
      ),
    ),
  );
