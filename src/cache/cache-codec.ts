// How results become the text a cache store keeps and back (so every hit is a fresh copy, typed as
// the adapter returned it), and how a read's arguments become its key.
import { createHash } from 'node:crypto';

/**
 * The key of a tagged value in stored text. No JSON the adapters return has it (a JSON column
 * that does is escaped), so a tag is never mistaken for data.
 */
const TAG = '\u0000';

type Tagged = { [TAG]: 'd' | 'b' | 'n' | 'o' | 'e'; v: unknown };

/** Rebuilds an entity from its properties (own ones, hidden ones included), as the adapter built it. */
export type EntityBuilder = (properties: [string, unknown][]) => object;

/**
 * Turns a result into text: JSON, with Dates, byte arrays and bigints tagged to come back as they
 * were, and entities (instances of an entity class, or objects with hidden sensitive properties)
 * tagged with every own property, hidden ones included, to be rebuilt by {@link decodeResult}.
 */
export function encodeResult(value: unknown): string {
  return JSON.stringify(value, function tag(this: Record<string, unknown>, key, encoded) {
    // `this[key]` is the value before toJSON (a Date's or a Buffer's) ran.
    const raw: unknown = this[key];
    if (raw instanceof Date) return { [TAG]: 'd', v: String(raw.getTime()) };
    if (raw instanceof Uint8Array) return { [TAG]: 'b', v: Buffer.from(raw).toString('base64') };
    if (typeof raw === 'bigint') return { [TAG]: 'n', v: raw.toString() };
    if (!isPlainRecord(raw)) return encoded as unknown;
    if (isEntity(raw)) {
      return { [TAG]: 'e', v: Object.getOwnPropertyNames(raw).map((name) => [name, raw[name]]) };
    }
    if (Object.hasOwn(raw, TAG)) return { [TAG]: 'o', v: Object.entries(raw) };
    return encoded as unknown;
  });
}

/**
 * The result {@link encodeResult} was given, as a new copy; `buildEntity` rebuilds its entities
 * (their class, their hidden properties). Default is plain objects.
 */
export function decodeResult(
  text: string,
  buildEntity: EntityBuilder = (properties) => Object.fromEntries(properties),
): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (!isPlainRecord(value) || !Object.hasOwn(value, TAG)) return value;
    const { [TAG]: kind, v } = value as Tagged;
    switch (kind) {
      case 'd':
        return new Date(Number(v));
      case 'b':
        return Buffer.from(v as string, 'base64');
      case 'n':
        return BigInt(v as string);
      case 'e':
        return buildEntity(v as [string, unknown][]);
      default:
        return Object.fromEntries(v as [string, unknown][]);
    }
  });
}

/** An object of a class of its own, or with properties JSON would not see (a hidden password hash). */
function isEntity(value: Record<string, unknown>): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return true;
  return Object.getOwnPropertyNames(value).length !== Object.keys(value).length;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The key of a read: a digest of its operation's arguments in a canonical form (object keys
 * sorted, types kept apart), so equal arguments give one key whatever their property order.
 * Undefined when an argument has no canonical form (a function): that read is not cached.
 */
export function argumentsKey(args: readonly unknown[]): string | undefined {
  let canonical: unknown;
  try {
    canonical = args.map(canonicalize);
  } catch {
    return undefined;
  }
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}

/** A JSON form of `value` in which no two different arguments look alike. */
function canonicalize(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : { f: String(value) };
    case 'bigint':
      return { n: value.toString() };
    case 'undefined':
      return { u: 1 };
    case 'object':
      if (value === null) return null;
      if (value instanceof Date) return { d: String(value.getTime()) };
      if (Array.isArray(value)) return { a: Array.from(value, canonicalize) };
      return {
        o: Object.keys(value)
          .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
          .sort()
          .map((key) => [key, canonicalize((value as Record<string, unknown>)[key])]),
      };
    default:
      throw new TypeError(`no canonical form for a ${typeof value}`);
  }
}
