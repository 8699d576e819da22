/**
 * The library's own PostgreSQL statements read timestamptz as text and turn UTC text into the ISO
 * form without a Date. Whatever the text, the result must be what node-postgres' Date gave
 * before: same instant, sub-millisecond digits cut, and a Date (or ±Infinity) for what the fast
 * path does not take, so the decoder's range check and error stay the same.
 */
import { types } from 'pg';
import { timestamptzValue } from '../../src/adapters/postgres/postgres-timestamp-text';

const nodePostgres = types.getTypeParser(1184, 'text');

describe('timestamptz text as the decoder reads it', () => {
  it.each([
    '2024-01-01 00:00:01+00',
    '2024-01-01 00:00:01.5+00',
    '2024-01-01 00:00:01.12+00',
    '2024-01-01 00:00:01.123456+00',
    '2024-01-01 00:00:01.999999+00',
    '0001-01-01 00:00:00+00',
    '9999-12-31 23:59:59.999999+00',
  ])('turns UTC text %s into the ISO form of node-postgres Date', (text) => {
    expect(timestamptzValue(text)).toBe((nodePostgres(text) as Date).toISOString());
  });

  it.each([
    '2024-01-01 02:00:01.12+02',
    '2024-01-01 00:00:01-05:30',
    '1890-01-01 00:00:00+00:09:21',
    '0044-03-15 00:00:00+00 BC',
    '12024-01-01 00:00:00+00',
  ])('leaves %s (another zone or year range) to node-postgres', (text) => {
    const value = timestamptzValue(text);
    expect(value).toBeInstanceOf(Date);
    expect((value as Date).getTime()).toBe((nodePostgres(text) as Date).getTime());
  });

  it('reads infinity as node-postgres does and leaves non-text values alone', () => {
    expect(timestamptzValue('infinity')).toBe(Infinity);
    expect(timestamptzValue('-infinity')).toBe(-Infinity);
    const date = new Date(0);
    expect(timestamptzValue(date)).toBe(date);
  });
});
