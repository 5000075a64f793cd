import { describe, expect, it } from 'vitest';
import { hstsPreloadStatus, loadHstsPreloadList, parseHstsTsv } from '../../src/data/hsts-preload.js';

describe('HSTS preload list', () => {
  it('loads the shipped snapshot (94,600 hosts of 2026-06-01)', () => {
    const list = loadHstsPreloadList();
    expect(list.entries.size).toBe(94_600);
    expect(list.date).toBe('2026-06-01');
  });

  it('exact entries, include_subdomains ancestors and TLDs', () => {
    expect(hstsPreloadStatus('github.com')).toEqual({ preloaded: true, entry: 'github.com' });
    expect(hstsPreloadStatus('gist.github.com')).toEqual({ preloaded: true, entry: 'github.com' });
    expect(hstsPreloadStatus('anything.dev')).toEqual({ preloaded: true, entry: 'dev' });
    // gmail.com is preloaded without include_subdomains
    expect(hstsPreloadStatus('gmail.com')).toEqual({ preloaded: true, entry: 'gmail.com' });
    expect(hstsPreloadStatus('sub.gmail.com').preloaded).toBe(false);
    expect(hstsPreloadStatus('secgrade.test').preloaded).toBe(false);
  });

  it('rejects malformed lines with the line number', () => {
    expect(() => parseHstsTsv('a.test\t1\nbad line\n')).toThrow('line 2');
    expect(() => parseHstsTsv('')).toThrow('empty');
  });
});
