import { describe, expect, it } from 'vitest';
import { hstsPreloadStatus, readHstsPreloadList, parseHstsTsv } from '../../src/data/hsts-preload.js';

describe('HSTS preload list', () => {
  it('loads the shipped snapshot (94,600 hosts of 2026-06-01)', () => {
    const list = readHstsPreloadList();
    expect(list.entries.size).toBe(94_600);
    expect(list.date).toBe('2026-06-01');
  });

  it('exact entries, include_subdomains ancestors and TLDs', () => {
    const list = readHstsPreloadList();
    expect(hstsPreloadStatus('github.com', list)).toEqual({ preloaded: true, entry: 'github.com' });
    expect(hstsPreloadStatus('gist.github.com', list)).toEqual({ preloaded: true, entry: 'github.com' });
    expect(hstsPreloadStatus('anything.dev', list)).toEqual({ preloaded: true, entry: 'dev' });
    // gmail.com is preloaded without include_subdomains
    expect(hstsPreloadStatus('gmail.com', list)).toEqual({ preloaded: true, entry: 'gmail.com' });
    expect(hstsPreloadStatus('sub.gmail.com', list).preloaded).toBe(false);
    expect(hstsPreloadStatus('secgrade.test', list).preloaded).toBe(false);
  });

  it('rejects malformed lines with the line number', () => {
    expect(() => parseHstsTsv('a.test\t1\nbad line\n')).toThrow('line 2');
    expect(() => parseHstsTsv('')).toThrow('empty');
  });
});
