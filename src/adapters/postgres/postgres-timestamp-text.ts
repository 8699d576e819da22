import { type CustomTypesConfig, types } from 'pg';

/** PostgreSQL's type id of `timestamptz`. */
const TIMESTAMPTZ = 1184;

/** node-postgres' own parser of timestamptz text: a Date, or ±Infinity for `±infinity`. */
const parseTimestamptz = types.getTypeParser(TIMESTAMPTZ, 'text');

const keepText = (text: string): string => text;

/**
 * The type parsers of statements whose rows the library decodes: timestamptz stays PostgreSQL's
 * text, which the dialect's decoder turns into the ISO form directly (most often without the
 * Date node-postgres would build and the decoder would format again); every other type as
 * node-postgres parses it, custom parsers an application set included. Raw SQL keeps node-postgres'
 * parsers: its caller gets Date objects as before.
 */
export const DECODED_ROW_TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMPTZ && format !== 'binary'
      ? keepText
      : types.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};

/**
 * The ISO form (`2024-05-01T12:00:00.123Z`) of timestamptz text in a UTC session
 * (`2024-05-01 12:00:00.123456+00`, fraction optional, 1 to 6 digits), sub-millisecond digits cut
 * as node-postgres cuts them. Undefined for any other text (another session time zone, years
 * outside 1 to 9999, `BC`, `infinity`): those take node-postgres' parser.
 */
function isoFromUtcText(text: string): string | undefined {
  const length = text.length;
  if (
    length < 22 ||
    length > 29 ||
    text.charCodeAt(4) !== 45 /* - */ ||
    text.charCodeAt(10) !== 32 /* space */ ||
    text.charCodeAt(length - 3) !== 43 /* + */ ||
    text.charCodeAt(length - 2) !== 48 /* 0 */ ||
    text.charCodeAt(length - 1) !== 48 /* 0 */
  ) {
    return undefined;
  }
  const day = text.slice(0, 10);
  const time = text.slice(11, 19);
  if (day.startsWith('0000')) return undefined;
  if (length === 22) return `${day}T${time}.000Z`;
  if (text.charCodeAt(19) !== 46 /* . */) return undefined;
  return `${day}T${time}.${text
    .slice(20, length - 3)
    .padEnd(3, '0')
    .slice(0, 3)}Z`;
}

/**
 * A timestamptz value as the decoder receives it: text from {@link DECODED_ROW_TYPES} (in its ISO
 * form when it is UTC text, else parsed by node-postgres), or what node-postgres or the JSON
 * path already made of it (a Date, ±Infinity), unchanged.
 */
export function timestamptzValue(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return isoFromUtcText(value) ?? parseTimestamptz(value);
}
