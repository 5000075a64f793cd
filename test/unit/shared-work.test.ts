import { describe, expect, it } from 'vitest';
import { createSharedWork } from '../../src/engine/shared-work.js';

/** A piece of work the test finishes by hand, with the signal it was given. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const live = (): AbortSignal => new AbortController().signal;

describe('shared work of a run', () => {
  it('runs once for every caller of a key, and is read again later without running', async () => {
    const work = createSharedWork();
    let runs = 0;
    const d = deferred<string>();
    const fn = () => (runs++, d.promise);
    const a = work.run('k', live(), fn);
    const b = work.run('k', live(), fn);
    d.resolve('seen');
    expect(await Promise.all([a, b])).toEqual(['seen', 'seen']);
    expect(await work.run('k', live(), fn)).toBe('seen');
    expect(runs).toBe(1);
    expect(await work.run('other', live(), async () => 'else')).toBe('else');
  });

  it('a caller that stops waiting leaves; the work goes on while another waits', async () => {
    const work = createSharedWork();
    const d = deferred<string>();
    let given: AbortSignal | null = null;
    const first = new AbortController();
    const a = work.run('k', first.signal, (s) => ((given = s), d.promise));
    const b = work.run('k', live(), () => Promise.resolve('never run'));
    first.abort(new Error('first deadline'));
    await expect(a).rejects.toThrow('first deadline');
    expect(given!.aborted).toBe(false);
    d.resolve('done');
    expect(await b).toBe('done');
  });

  it('when every caller has left, the work is aborted and the next caller runs it afresh', async () => {
    const work = createSharedWork();
    let given: AbortSignal | null = null;
    const one = new AbortController();
    const two = new AbortController();
    const never = new Promise<string>(() => undefined);
    const a = work.run('k', one.signal, (s) => ((given = s), never));
    const b = work.run('k', two.signal, () => never);
    one.abort(new Error('one'));
    expect(given!.aborted).toBe(false);
    two.abort(new Error('two'));
    await expect(a).rejects.toThrow('one');
    await expect(b).rejects.toThrow('two');
    expect(given!.aborted).toBe(true);
    expect((given!.reason as Error).message).toBe('two');
    expect(await work.run('k', live(), async () => 'again')).toBe('again');
  });

  it('failed work is no result: every waiter gets the error, the next caller runs it again', async () => {
    const work = createSharedWork();
    const d = deferred<string>();
    const a = work.run('k', live(), () => d.promise);
    const b = work.run('k', live(), () => d.promise);
    d.reject(new Error('connection refused'));
    await expect(a).rejects.toThrow('connection refused');
    await expect(b).rejects.toThrow('connection refused');
    expect(await work.run('k', live(), async () => 'second try')).toBe('second try');
  });

  it('an already aborted caller is refused without starting anything', async () => {
    const work = createSharedWork();
    const c = new AbortController();
    c.abort(new Error('gone'));
    let runs = 0;
    await expect(work.run('k', c.signal, async () => (runs++, 'x'))).rejects.toThrow('gone');
    expect(runs).toBe(0);
    expect(work.size).toBe(0);
  });

  it('a result older than the TTL is not read again', async () => {
    let now = 1_000;
    const work = createSharedWork({ ttlMs: 60_000, now: () => now });
    let runs = 0;
    const fn = async () => `run ${++runs}`;
    expect(await work.run('k', live(), fn)).toBe('run 1');
    now += 59_000;
    expect(await work.run('k', live(), fn)).toBe('run 1');
    now += 2_000;
    expect(await work.run('k', live(), fn)).toBe('run 2');
  });

  it('keeps at most maxEntries settled results, the oldest going first', async () => {
    const work = createSharedWork({ maxEntries: 3 });
    for (const k of ['a', 'b', 'c', 'd', 'e']) await work.run(k, live(), async () => k);
    expect(work.size).toBe(3);
    let runs = 0;
    expect(await work.run('a', live(), async () => (runs++, 'a again'))).toBe('a again');
    expect(await work.run('e', live(), async () => (runs++, 'e again'))).toBe('e');
    expect(runs).toBe(1);
  });
});
