import { z } from 'zod';
import type { Words } from '../lib/i18n/catalogue';

/** Text in every catalogue language (an action's own names live beside its definition). */
export type I18n = Words;

/**
 * A Bitrix24 robot/activity property descriptor (PROPERTIES / RETURN_PROPERTIES entry), with
 * select labels in every language: registration renders them in the portal's (robots/, activities/).
 */
export interface PropertyDescriptor {
  Name: I18n;
  Description?: I18n;
  Type: 'string' | 'text' | 'int' | 'double' | 'bool' | 'select' | 'user' | 'date' | 'datetime' | 'file';
  Required: 'Y' | 'N';
  Multiple: 'Y' | 'N';
  Default?: string;
  Options?: Record<string, I18n>;
}

/** One input property: its descriptor and the validator of the raw form value, side by side. */
export interface InputProperty<S extends z.ZodType = z.ZodType> {
  descriptor: PropertyDescriptor;
  schema: S;
  /** A select whose options are the portal's WhatsApp lines, filled in at registration. */
  optionsFromLines?: true;
  /**
   * The code of the yes/no property this one belongs to (`wait_reply`): while the action has that
   * property and it is off, this value does not apply and is read as unset (workers/action-inputs).
   */
  onlyWhen?: string;
}

/** Raw values as Bitrix24 sends them: strings, or lists for Multiple=Y; absent when unset. */
export type RawValue = string | string[] | undefined;

const blankToUndefined = (value: unknown) => {
  if (Array.isArray(value)) {
    const kept = value.map((v) => (typeof v === 'string' ? v.trim() : v)).filter((v) => v !== '' && v !== undefined);
    return kept.length ? kept : undefined;
  }
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
};
const single = (value: unknown) => (Array.isArray(value) ? value[0] : value);
/**
 * A plain decimal as a portal user types it: optional sign, digits, an optional fraction, spaces
 * around. A `double` also takes a decimal comma (Russian portals; portal-ui-wire.md §5 leaves the
 * wire form uncertain), and the exponent PHP prints for a very small or large float (`5.0E-5`,
 * `1.0E+15`: a stored double or a BP variable's value); an `int` takes neither, so `1,000` typed as
 * a thousand is refused, not read as 1. Anything else (`0x10`, `1 000`, `Infinity`) stays as it
 * came, and the number schema refuses it as not a number instead of reading it as JavaScript would.
 */
const DECIMAL_POINT = /^[+-]?\d+(?:\.\d+)?$/;
const DOUBLE = /^[+-]?\d+(?:,\d+|(?:\.\d+)?(?:[eE][+-]?\d+)?)$/;
const decimalOf = (grammar: RegExp) => (value: unknown) => {
  // Bitrix24 sends an unset value as '' (bitrix24-wire.md); a null from a list reads the same.
  if (value === null) return undefined;
  if (typeof value !== 'string') return value;
  const text = value.trim();
  return grammar.test(text) ? Number(text.replace(',', '.')) : value;
};
/** A single-valued property's form value (the first of a list), blank read as unset, then `schema`. */
const oneValue = <S extends z.ZodType>(schema: S) => z.preprocess((v) => blankToUndefined(single(v)), schema);

/**
 * Pins a schema's output type to what its runtime options guarantee (required or defaulted
 * means never undefined), which TypeScript cannot follow through the runtime branch.
 */
function outputAs<T>(schema: z.ZodType): z.ZodType<T> {
  return schema as z.ZodType<unknown> as z.ZodType<T>;
}

interface Common {
  name: I18n;
  description?: I18n;
}

/** A descriptor's name, description, type and multiplicity; `rest` adds Default and Options where a kind has them. */
function describe(
  o: Common,
  Type: PropertyDescriptor['Type'],
  flags: { required?: boolean; multiple?: boolean },
  rest: Pick<PropertyDescriptor, 'Default' | 'Options'> = {},
): PropertyDescriptor {
  return {
    Name: o.name,
    Description: o.description,
    Type,
    Required: flags.required ? 'Y' : 'N',
    Multiple: flags.multiple ? 'Y' : 'N',
    ...rest,
  };
}

/** Builders pairing a descriptor with its zod schema, so both are written once. */
export const prop = {
  line,
  string<const R extends boolean = false, const D extends string | undefined = undefined>(
    o: Common & { required?: R; max?: number; default?: D; multiline?: boolean },
  ) {
    let inner = z.string();
    if (o.max) inner = inner.max(o.max);
    const base = oneValue(o.required ? inner : inner.optional());
    return {
      descriptor: describe(o, o.multiline ? 'text' : 'string', { required: o.required }, { Default: o.default }),
      schema: outputAs<R extends true ? string : D extends string ? string : string | undefined>(
        o.default !== undefined && !o.required ? base.transform((v) => v ?? o.default) : base,
      ),
    } satisfies InputProperty;
  },
  /**
   * Files picked in the designer (Type `file`, multiple): the handler gets each as a string — a
   * Disk file id or a portal download link (portal-ui-wire.md §5); none is `[]`.
   */
  files(o: Common & { maxItems: number }) {
    const { schema } = prop.list({ ...o, itemMax: 2048 });
    return {
      descriptor: describe(o, 'file', { multiple: true }),
      schema,
    } satisfies InputProperty;
  },
  list(o: Common & { required?: boolean; maxItems?: number; itemMax?: number }) {
    let item = z.string();
    if (o.itemMax) item = item.max(o.itemMax);
    let arr = z.array(item);
    if (o.maxItems) arr = arr.max(o.maxItems);
    // One value per line is accepted too (a single text field in the designer).
    const toList = (v: unknown) => {
      const lines = (Array.isArray(v) ? v : [v]).flatMap((item) =>
        typeof item === 'string' ? item.split(/\r?\n/) : [item],
      );
      const cleaned = blankToUndefined(lines);
      if (cleaned === undefined) return o.required ? undefined : [];
      return Array.isArray(cleaned) ? cleaned : [cleaned];
    };
    return {
      descriptor: describe(o, 'string', { required: o.required, multiple: true }),
      schema: z.preprocess(toList, o.required ? arr.min(1) : arr) as z.ZodType<string[]>,
    } satisfies InputProperty;
  },
  bool(o: Common & { default: boolean }) {
    return {
      descriptor: describe(o, 'bool', {}, { Default: o.default ? 'Y' : 'N' }),
      schema: oneValue(z.enum(['Y', 'N', '1', '0', 'y', 'n']).optional()).transform((v) =>
        v === undefined ? o.default : v === 'Y' || v === 'y' || v === '1',
      ),
    } satisfies InputProperty;
  },
  select<const O extends Record<string, I18n>>(o: Common & { options: O; default: keyof O & string }) {
    type T = keyof O & string;
    const values = Object.keys(o.options) as [T, ...T[]];
    return {
      descriptor: describe(o, 'select', {}, { Default: o.default, Options: o.options }),
      schema: oneValue(z.enum(values).optional()).transform((v): T => v ?? o.default),
    } satisfies InputProperty;
  },
  number<const R extends boolean = false, const D extends number | undefined = undefined>(
    o: Common & { required?: R; min?: number; max?: number; integer?: boolean; default?: D },
  ) {
    let n = o.integer ? z.number().int() : z.number();
    if (o.min !== undefined) n = n.min(o.min);
    if (o.max !== undefined) n = n.max(o.max);
    const base = oneValue(z.preprocess(decimalOf(o.integer ? DECIMAL_POINT : DOUBLE), o.required ? n : n.optional()));
    return {
      descriptor: describe(
        o,
        o.integer ? 'int' : 'double',
        { required: o.required },
        {
          Default: o.default === undefined ? undefined : String(o.default),
        },
      ),
      schema: outputAs<R extends true ? number : D extends number ? number : number | undefined>(
        o.default !== undefined ? base.transform((v) => v ?? o.default) : base,
      ),
    } satisfies InputProperty;
  },
};

/**
 * The WhatsApp line: a select of the portal's lines (option key = line id), filled in when the
 * portal's robots are registered and again after every change of its lines. Empty = the first line;
 * a key kept by a saved robot after its line was removed is refused at run time (lines/resolve-line).
 */
function line(o: Common) {
  return {
    descriptor: describe(o, 'select', {}, { Options: {} }),
    schema: oneValue(z.string().max(256).optional()),
    optionsFromLines: true,
  } satisfies InputProperty;
}

/** A return property: only its descriptor (values are produced by the action). */
export function returnProp(name: I18n, type: PropertyDescriptor['Type'] = 'string'): PropertyDescriptor {
  return { Name: name, Type: type, Required: 'N', Multiple: 'N' };
}
