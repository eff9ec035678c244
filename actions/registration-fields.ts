import { type Lang, render, type Words } from '../lib/i18n/catalogue';
import type { AnyAction } from './define-action';
import type { InputProperty, PropertyDescriptor } from './property';

/** What one portal's registration depends on besides the catalogue. */
export interface RegistrationContext {
  /** The portal's catalogue language: select options are plain labels, so they are written in it. */
  lang: Lang;
  /** Starts every robot and activity name (`[OLChat] WhatsApp Отправка сообщения`). */
  prefix: string;
  /** The portal's WhatsApp lines, first line first: the options of every `line` select. */
  lines: ReadonlyArray<{ id: string; name: string }>;
}

/** A Bitrix24 property descriptor as sent: names as language maps, select options as plain labels. */
type WireDescriptor = Omit<PropertyDescriptor, 'Options'> & { Options?: Record<string, string> };

/** `{en, ru}` with the prefix in front of both. */
function prefixed(prefix: string, words: Words): Words {
  const lead = prefix.trim();
  return lead ? { ru: `${lead} ${words.ru}`, en: `${lead} ${words.en}` } : words;
}

/** The line select's options: line id → its name (the id alone when unnamed, added when two share a name). */
export function lineOptions(lines: RegistrationContext['lines']): Record<string, string> {
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l.name, (counts.get(l.name) ?? 0) + 1);
  const labelOf = (l: { id: string; name: string }) =>
    !l.name ? l.id : (counts.get(l.name) ?? 0) > 1 ? `${l.name} (${l.id})` : l.name;
  return Object.fromEntries(lines.map((l) => [l.id, labelOf(l)]));
}

function wireDescriptor(p: InputProperty, context: RegistrationContext): WireDescriptor {
  const { Options, ...rest } = p.descriptor;
  if (p.optionsFromLines) return { ...rest, Options: lineOptions(context.lines) };
  if (!Options) return rest;
  const labels = Object.entries(Options).map(([key, label]) => [key, render(context.lang, label)]);
  return { ...rest, Options: Object.fromEntries(labels) };
}

/**
 * The fields a robot and an activity of one action share in `bizproc.*.add`/`update`: names and
 * descriptions as `{ru, en}` maps (Bitrix24 shows each user their language, falling back to en;
 * portal-ui-wire.md §6), select options in the portal's language, the `line` select from its lines.
 * `authUserId` is the user who installed the app (whose tokens the handler receives when the robot's
 * own setting names nobody); undefined only for the manifest, which describes no particular install.
 */
export function registrationFields(
  action: AnyAction,
  handlerUrl: string,
  authUserId: number | undefined,
  context: RegistrationContext,
): Record<string, unknown> {
  return {
    HANDLER: handlerUrl,
    ...(authUserId === undefined ? {} : { AUTH_USER_ID: authUserId }),
    // Explicit: the docs disagree on the default and the core falls back to not waiting.
    USE_SUBSCRIPTION: 'Y',
    NAME: prefixed(context.prefix, action.title),
    DESCRIPTION: action.description,
    PROPERTIES: Object.fromEntries(
      Object.entries(action.properties).map(([code, p]) => [code, wireDescriptor(p, context)]),
    ),
    RETURN_PROPERTIES: action.returns,
  };
}
