import { argumentsKey, decodeResult, encodeResult } from '../../src/cache/cache-codec';

describe('cache codec: stored results come back as they were, as new copies', () => {
  it('keeps strings, numbers, nulls, nested JSON, Dates, byte arrays and bigints', () => {
    const value = {
      id: 'a',
      createdAt: '2024-05-01T12:00:00.000Z',
      when: new Date('2024-05-01T12:00:00.123Z'),
      bytes: Buffer.from([1, 2, 255]),
      big: 12345678901234567890n,
      metadata: { list: [1, 'two', null, { deep: true }] },
      nothing: null,
    };
    const back = decodeResult(encodeResult(value)) as typeof value;
    expect(back).toEqual(value);
    expect(back.when).toBeInstanceOf(Date);
    expect(Buffer.isBuffer(back.bytes)).toBe(true);
    expect(typeof back.big).toBe('bigint');
    expect(back).not.toBe(value);
  });

  it('keeps JSON data that looks like its own tags', () => {
    const value = [{ '\u0000': 'd', v: '5' }, { nested: { '\u0000': 'o', v: [] } }];
    expect(decodeResult(encodeResult(value))).toEqual(value);
  });

  it('keys arguments by value, whatever the order of their properties', () => {
    const a = argumentsKey([{ filters: { email: 'x', role: 'admin' }, includeDeleted: false }]);
    const b = argumentsKey([{ includeDeleted: false, filters: { role: 'admin', email: 'x' } }]);
    expect(a).toBe(b);
    expect(argumentsKey([{ filters: { email: 'y' } }])).not.toBe(
      argumentsKey([{ filters: { email: 'x' } }]),
    );
    expect(argumentsKey(['1'])).not.toBe(argumentsKey([1]));
    expect(argumentsKey([[1, 2]])).not.toBe(argumentsKey([{ 0: 1, 1: 2 }]));
    expect(argumentsKey([new Date(0)])).not.toBe(argumentsKey([0]));
  });

  it('has no key for arguments it cannot describe (the read is then not cached)', () => {
    expect(argumentsKey([{ filters: { email: () => 'x' } }])).toBeUndefined();
  });
});
