import { andThen, settle } from '../../src/adapters/sql/now-or-later';

// The read path's contract: whatever happens inside, the caller gets one promise, never a throw.
describe('settle and andThen', () => {
  it('settles a value had at once, a promise as it is, and a throw as a rejection', async () => {
    await expect(settle(() => 1)).resolves.toBe(1);
    const later = Promise.resolve(2);
    expect(settle(() => later)).toBe(later);
    const thrown = new Error('bad id');
    const settled = settle(() => {
      throw thrown;
    });
    expect(settled).toBeInstanceOf(Promise);
    await expect(settled).rejects.toBe(thrown);
  });

  it('applies the next step at once to a value, and after settling to a promise', async () => {
    expect(andThen(2, (n) => n * 3)).toBe(6);
    const next = andThen(Promise.resolve(2), (n) => n * 3);
    expect(next).toBeInstanceOf(Promise);
    await expect(next).resolves.toBe(6);
    await expect(
      settle(() =>
        andThen(1, () => {
          throw new Error('mapping failed');
        }),
      ),
    ).rejects.toThrow('mapping failed');
  });
});
