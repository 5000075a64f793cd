// A service target (imap://, smtp:// …) in the human formats: its heading names the scheme, and
// HTTP and email read "not applicable", never "not tested" (the scan is complete).
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/model/report.js';
import { gradeWord } from '../../src/render/grade-words.js';
import { renderText } from '../../src/render/text.js';
import { targetHeading } from '../../src/render/style.js';
import { goodReport } from './fixtures-reports.js';

const imap: Report = {
  ...goodReport,
  target: { host: 'mail.example.com', port: 143, portSource: 'default', scheme: 'imap', starttls: 'imap' },
  grades: { ...goodReport.grades, http: null, email: null, overall: goodReport.grades.tls },
  gradeReasons: { http: 'not applicable to imap:// targets (a service, not a web site or mail domain: TLS only)', email: 'not applicable to imap:// targets (a service, not a web site or mail domain: TLS only)' },
  http: null,
  email: null,
};

describe('service targets in the renderers', () => {
  it('heading with the scheme; web targets unchanged', () => {
    expect(targetHeading(imap.target)).toBe('imap://mail.example.com:143');
    expect(targetHeading(goodReport.target)).toBe(`${goodReport.target.host}:${goodReport.target.port}`);
  });
  it('http and email grades are "not applicable", tls keeps its letter', () => {
    expect(gradeWord(imap, 'http')).toBe('not applicable');
    expect(gradeWord(imap, 'email')).toBe('not applicable');
    expect(gradeWord(imap, 'tls')).toBe(imap.grades.tls);
    expect(gradeWord({ ...goodReport, grades: { ...goodReport.grades, http: null }, http: null }, 'http')).toBe('not tested');
  });
  it('the text report says so', () => {
    const text = renderText([imap], { color: false, width: 100 });
    expect(text).toContain('imap://mail.example.com:143');
    expect(text).toMatch(/http – not applicable\s+email – not applicable/);
    expect(text).not.toMatch(/http – not tested/);
  });
});
