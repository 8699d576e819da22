import { ValidationException } from '../exceptions';
import type { PlanValue } from './query-plan';

/**
 * Cursors are opaque to callers: base64url of JSON holding the order they were made for and the
 * last row's values of every order key (id included). A cursor made for another order is refused.
 */
interface CursorPayload {
  o: string;
  v: PlanValue[];
}

/** Encodes the position after a row, for the order whose signature is given. */
export function encodeCursor(orderSignature: string, values: PlanValue[]): string {
  const payload: CursorPayload = { o: orderSignature, v: values };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** Decodes a cursor; ValidationException when it is malformed or was made for another order. */
export function decodeCursor(
  cursor: string,
  orderSignature: string,
  keyCount: number,
): PlanValue[] {
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new ValidationException('The cursor is not valid', 'pagination.after', { cause: error });
  }
  const candidate = payload as Partial<CursorPayload> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    candidate.o !== orderSignature ||
    !Array.isArray(candidate.v) ||
    candidate.v.length !== keyCount ||
    !candidate.v.every(isPlanValue)
  ) {
    throw new ValidationException(
      'The cursor is not valid for this query (was it made with another order?)',
      'pagination.after',
    );
  }
  return candidate.v;
}

function isPlanValue(value: unknown): boolean {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean';
}
