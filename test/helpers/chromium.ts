// Debian's headless Chromium driven over the DevTools protocol on --remote-debugging-pipe (fd 3 in,
// fd 4 out, NUL-separated JSON): no port, no WebSocket, no browser download. puppeteer-core is not
// used: its current releases need Node 22, and the few CDP calls below are all the tests need.
// Each page is opened in its own target with its own viewport / media emulation; what the page
// logged, threw and requested is collected, and every request other than file: and data: is failed
// before it leaves (the report must work offline), and reported.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** The Debian launcher (/usr/bin/chromium); SECGRADE_CHROMIUM names another binary. */
export const CHROMIUM = process.env['SECGRADE_CHROMIUM'] ?? '/usr/bin/chromium';

/** Whether the browser runs here (`chromium --version` exits 0). */
export function chromiumInstalled(path = CHROMIUM): boolean {
  return spawnSync(path, ['--version'], { stdio: 'ignore', timeout: 15_000 }).status === 0;
}

/** The browser suite's guard: under CI=true a missing chromium fails the run instead of skipping it. */
export function requireChromiumUnderCi(env: NodeJS.ProcessEnv = process.env, path = CHROMIUM): boolean {
  const ok = chromiumInstalled(path);
  if (!ok && env['CI'] === 'true') throw new Error(`${path} is not installed: the browser suite needs it (apt-get install chromium)`);
  return ok;
}

export interface OpenOptions {
  /** CSS pixels; the height is the screenshot's viewport (the full page is captured). */
  width: number;
  height?: number;
  colorScheme?: 'light' | 'dark';
  media?: 'screen' | 'print';
  /** Take a PNG of the page: the whole length, or at most `maxHeight` CSS pixels from the top. */
  screenshot?: boolean | { maxHeight: number };
  /** A JavaScript expression evaluated in the loaded page; its JSON value is `evaluated`. */
  evaluate?: string;
  timeoutMs?: number;
}

export interface PageMessage {
  level: string;
  text: string;
}

export interface PageResult {
  url: string;
  width: number;
  /** console.error / console.warn / console.assert and the browser's own error and warning log entries. */
  console: PageMessage[];
  /** Uncaught exceptions. */
  pageErrors: string[];
  /** Every request the page made, in order (the file itself included). */
  requests: string[];
  /** Requests that are neither the page's own file nor a data: URL (they were blocked). */
  foreignRequests: string[];
  failedRequests: Array<{ url: string; error: string }>;
  scrollWidth: number;
  innerWidth: number;
  /** Elements whose right edge passes the viewport: what to fix when the page overflows. */
  overflowing: string[];
  /** document.body.innerText: the text as rendered (hidden elements and closed <details> left out). */
  text: string;
  /** document.body.textContent: all the text, shown or not. */
  textContent: string;
  /** Every heading as "h2 Title", in document order. */
  headings: string[];
  /** The document's title. */
  title: string;
  png?: Buffer;
  evaluated?: unknown;
}

/** Whether the page scrolls sideways at its width. */
export const overflows = (r: PageResult): boolean => r.scrollWidth > r.innerWidth;

interface Pending {
  resolve: (v: any) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

type Listener = (params: any, sessionId: string | undefined) => void;

/** A DevTools protocol connection over the two pipes. */
class Cdp {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private buffer = Buffer.alloc(0);
  private closedError: Error | undefined;

  constructor(
    private readonly out: Writable,
    input: Readable,
  ) {
    input.on('data', (chunk: Buffer) => this.receive(chunk));
    input.on('close', () => this.fail(new Error('chromium closed the DevTools pipe')));
    input.on('error', (e) => this.fail(e));
    out.on('error', (e) => this.fail(e));
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (let end = this.buffer.indexOf(0); end >= 0; end = this.buffer.indexOf(0)) {
      const text = this.buffer.subarray(0, end).toString('utf8');
      this.buffer = this.buffer.subarray(end + 1);
      const msg = JSON.parse(text) as { id?: number; method?: string; params?: unknown; result?: unknown; error?: { message: string }; sessionId?: string };
      if (msg.id !== undefined) {
        const p = this.pending.get(msg.id);
        if (!p) continue;
        this.pending.delete(msg.id);
        clearTimeout(p.timer);
        if (msg.error) p.reject(new Error(msg.error.message));
        else p.resolve(msg.result);
      } else if (msg.method) {
        for (const l of this.listeners.get(msg.method) ?? []) l(msg.params, msg.sessionId);
      }
    }
  }

  private fail(e: Error): void {
    this.closedError ??= e;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(e);
      this.pending.delete(id);
    }
  }

  /** One call with its own deadline. */
  send<T = any>(method: string, params: object = {}, sessionId?: string, timeoutMs = 30_000): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`chromium did not answer ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.out.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  on(method: string, l: Listener): () => void {
    let set = this.listeners.get(method);
    if (!set) this.listeners.set(method, (set = new Set()));
    set.add(l);
    return () => set.delete(l);
  }
}

export interface Chromium {
  /** The browser's process id; its helpers (zygote, GPU, renderers) share its process group. */
  pid: number;
  /** Its temporary --user-data-dir (unique: every process of this browser names it). */
  profile: string;
  version: string;
  open(url: string, opts: OpenOptions): Promise<PageResult>;
  /** Browser.close, then SIGKILL to the process group if it has not exited within 5 s; removes the profile. */
  close(): Promise<void>;
}

const FLAGS = [
  '--headless=new',
  // Chromium refuses to start as root with its sandbox; the pages are the tests' own files.
  '--no-sandbox',
  '--remote-debugging-pipe',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-default-apps',
  '--disable-sync',
  '--disable-extensions',
  '--disable-domain-reliability',
  '--disable-client-side-phishing-detection',
  '--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,AutofillServerCommunication',
  '--metrics-recording-only',
  '--mute-audio',
  // No classic scrollbar taking 15 px of the width: pages are measured and shot as phones (overlay
  // scrollbars) show them, and screenshots do not depend on the scrollbar theme.
  '--hide-scrollbars',
  '--font-render-hinting=none',
];

/** Start one browser; every page opened through it is a separate target. */
export async function launchChromium(opts: { timeoutMs?: number; path?: string } = {}): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), 'secgrade-chromium-'));
  // detached: its own process group, so a browser that does not close is killed with all its helpers.
  const child: ChildProcess = spawn(opts.path ?? CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    if (stderr.length < 20_000) stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    // Not startable (ENOENT, EACCES): no exit event follows.
    child.once('error', (e) => {
      stderr += `${e.message}\n`;
      resolve();
    });
  });
  const cdp = new Cdp(child.stdio[3] as Writable, child.stdio[4] as Readable);
  if (child.pid === undefined) {
    await exited;
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`chromium did not start: ${stderr.trim()}`);
  }
  const pid = child.pid;

  const killGroup = (): void => {
    // The group, and the crash handlers Debian's build starts in sessions of their own.
    for (const target of [-pid, ...chromiumProcesses({ pid, profile }).filter((p) => p !== pid)]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      await cdp.send('Browser.close', {}, undefined, 5_000).catch(() => undefined);
      const timer = setTimeout(killGroup, 5_000);
      await exited;
      clearTimeout(timer);
    }
    // Helpers that outlived the browser process (they should not) go with the group; those that
    // exited are reparented to init and linger as zombies until it reaps them: wait for that too.
    killGroup();
    const end = Date.now() + 10_000;
    while (chromiumProcesses({ pid, profile }).length > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    rmSync(profile, { recursive: true, force: true });
  };

  let version: string;
  try {
    ({ product: version } = await cdp.send<{ product: string }>('Browser.getVersion', {}, undefined, opts.timeoutMs ?? 30_000));
  } catch (e) {
    await close();
    throw new Error(`chromium did not start: ${(e as Error).message}\n${stderr.slice(0, 2000)}`);
  }
  return { pid, profile, version, open: (url, o) => openPage(cdp, url, o), close };
}

/** The page's measurements, taken inside it. Kept as a string: it runs in the browser, not here. */
const MEASURE = `(() => {
  const se = document.scrollingElement || document.documentElement;
  const overflowing = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > innerWidth + 0.5 && overflowing.length < 10) {
      overflowing.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' right=' + Math.round(r.right));
    }
  }
  const headings = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map((h) => h.tagName.toLowerCase() + ' ' + h.textContent.trim().replace(/\\s+/g, ' '));
  return { scrollWidth: se.scrollWidth, innerWidth, overflowing, text: document.body ? document.body.innerText : '', textContent: document.body ? document.body.textContent : '', headings, title: document.title };
})()`;

async function openPage(cdp: Cdp, url: string, o: OpenOptions): Promise<PageResult> {
  const timeoutMs = o.timeoutMs ?? 30_000;
  const { targetId } = await cdp.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await cdp.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
  const result: PageResult = {
    url, width: o.width, console: [], pageErrors: [], requests: [], foreignRequests: [], failedRequests: [],
    scrollWidth: 0, innerWidth: 0, overflowing: [], text: '', textContent: '', headings: [], title: '',
  };
  const mine = (l: Listener): Listener => (p, s) => {
    if (s === sessionId) l(p, s);
  };
  const urls = new Map<string, string>();
  const allowed = (u: string): boolean => u === url || u.startsWith('data:');
  const off = [
    cdp.on('Runtime.consoleAPICalled', mine((p: { type: string; args: Array<{ value?: unknown; description?: string }> }) => {
      if (['error', 'warning', 'assert'].includes(p.type)) result.console.push({ level: p.type, text: p.args.map((a) => String(a.value ?? a.description ?? '')).join(' ') });
    })),
    cdp.on('Log.entryAdded', mine((p: { entry: { level: string; text: string; url?: string } }) => {
      if (p.entry.level === 'error' || p.entry.level === 'warning') result.console.push({ level: p.entry.level, text: `${p.entry.text}${p.entry.url ? ` (${p.entry.url})` : ''}` });
    })),
    cdp.on('Runtime.exceptionThrown', mine((p: { exceptionDetails: { text: string; exception?: { description?: string } } }) => {
      result.pageErrors.push(p.exceptionDetails.exception?.description ?? p.exceptionDetails.text);
    })),
    cdp.on('Network.requestWillBeSent', mine((p: { requestId: string; request: { url: string } }) => {
      urls.set(p.requestId, p.request.url);
      result.requests.push(p.request.url);
      if (!allowed(p.request.url)) result.foreignRequests.push(p.request.url);
    })),
    cdp.on('Network.loadingFailed', mine((p: { requestId: string; errorText: string }) => {
      result.failedRequests.push({ url: urls.get(p.requestId) ?? p.requestId, error: p.errorText });
    })),
    // Anything that would leave the machine is stopped here (Fetch sees http(s) and ws(s) requests).
    cdp.on('Fetch.requestPaused', mine((p: { requestId: string; request: { url: string } }) => {
      const call = allowed(p.request.url) ? cdp.send('Fetch.continueRequest', { requestId: p.requestId }, sessionId) : cdp.send('Fetch.failRequest', { requestId: p.requestId, errorReason: 'BlockedByClient' }, sessionId);
      call.catch(() => undefined);
    })),
  ];
  try {
    for (const m of ['Runtime.enable', 'Log.enable', 'Network.enable', 'Page.enable']) await cdp.send(m, {}, sessionId);
    await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*' }] }, sessionId);
    await cdp.send('Emulation.setDeviceMetricsOverride', { width: o.width, height: o.height ?? 900, deviceScaleFactor: 1, mobile: false }, sessionId);
    await cdp.send('Emulation.setEmulatedMedia', { media: o.media ?? 'screen', features: [{ name: 'prefers-color-scheme', value: o.colorScheme ?? 'light' }] }, sessionId);

    const loaded = new Promise<void>((resolve) => off.push(cdp.on('Page.loadEventFired', mine(() => resolve()))));
    const nav = await cdp.send<{ errorText?: string }>('Page.navigate', { url }, sessionId, timeoutMs);
    if (nav.errorText) throw new Error(`chromium could not open ${url}: ${nav.errorText}`);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([loaded, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${url} did not finish loading within ${timeoutMs} ms`)), timeoutMs)))]).finally(() => clearTimeout(timer));
    // Fonts and layout settled: the measurements and the screenshot see the final page.
    await cdp.send('Runtime.evaluate', { expression: 'document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(() => r(true))))', awaitPromise: true }, sessionId, timeoutMs);
    const measured = await cdp.send<{ result: { value: Pick<PageResult, 'scrollWidth' | 'innerWidth' | 'overflowing' | 'text' | 'textContent' | 'headings' | 'title'> } }>('Runtime.evaluate', { expression: MEASURE, returnByValue: true }, sessionId, timeoutMs);
    Object.assign(result, measured.result.value);
    if (o.evaluate) {
      const ev = await cdp.send<{ result: { value?: unknown }; exceptionDetails?: { text: string } }>('Runtime.evaluate', { expression: o.evaluate, returnByValue: true }, sessionId, timeoutMs);
      if (ev.exceptionDetails) throw new Error(`evaluate failed in ${url}: ${ev.exceptionDetails.text}`);
      result.evaluated = ev.result.value;
    }

    if (o.screenshot) {
      const metrics = await cdp.send<{ cssContentSize: { width: number; height: number } }>('Page.getLayoutMetrics', {}, sessionId);
      const full = Math.ceil(metrics.cssContentSize.height);
      const height = typeof o.screenshot === 'object' ? Math.min(full, o.screenshot.maxHeight) : full;
      const shot = await cdp.send<{ data: string }>('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true, clip: { x: 0, y: 0, width: o.width, height, scale: 1 } }, sessionId, timeoutMs);
      result.png = Buffer.from(shot.data, 'base64');
    }
    return result;
  } finally {
    for (const f of off) f();
    await cdp.send('Target.closeTarget', { targetId }).catch(() => undefined);
  }
}

function pgrep(args: string[]): number[] {
  const r = spawnSync('pgrep', args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw r.error;
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

/**
 * The processes of one browser, as pgrep sees them (empty once it is closed): its process group,
 * plus anything naming its own temporary profile (the crashpad handlers run in their own sessions).
 */
export function chromiumProcesses(b: Pick<Chromium, 'pid' | 'profile'>): number[] {
  return [...new Set([...pgrep(['-g', String(b.pid)]), ...pgrep(['-f', '--', b.profile])])].sort((x, y) => x - y);
}
