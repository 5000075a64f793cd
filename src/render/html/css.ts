// The one stylesheet every secgrade HTML page inlines (report, fleet, summary, history): light and
// dark from ./palette.ts, print rules, and a layout that never scrolls the page sideways at 390 px —
// anything wider (tables, certificate fields) scrolls inside its own `.scroll` region. The fleet
// table's sort control is CSS only (fleet-sort.ts): on paper only the checked order is printed.
import { sortCss } from './fleet-sort.js';
import { DARK, LIGHT, type Theme } from './palette.js';

const vars = (t: Theme): string =>
  Object.entries(t)
    .map(([k, v]) => `--${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}:${v}`)
    .join(';');

export const CSS = `
:root{${vars(LIGHT)};color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{${vars(DARK)}}}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;overflow-wrap:break-word}
.page{max-width:75rem;margin:0 auto;padding:0 1rem 2rem}
header.top{border-bottom:1px solid var(--border);margin-bottom:1rem}
h1{font-size:1.6rem;margin:1rem 0 .25rem;overflow-wrap:anywhere}
h2{font-size:1.3rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--border);padding-bottom:.2rem;overflow-wrap:anywhere}
h3{font-size:1.1rem;margin:1.5rem 0 .4rem;overflow-wrap:anywhere}
h4{font-size:1rem;margin:1rem 0 .3rem;overflow-wrap:anywhere}
p,li,dd,dt,summary,figcaption{overflow-wrap:anywhere}
a{color:var(--link)}
:focus-visible{outline:2px solid var(--link);outline-offset:2px}
.skip{position:absolute;left:-999px}
.visually-hidden{position:absolute;left:0;margin:-1px;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap}
.skip:focus{left:1rem;top:.5rem;background:var(--bg);padding:.25rem .5rem;z-index:1}
.muted,.meta{color:var(--muted)}
.meta{font-size:.9rem;margin:.25rem 0 .75rem}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
pre{background:var(--surface);padding:.5rem;white-space:pre-wrap;overflow-wrap:anywhere;margin:.25rem 0}
.scroll{overflow-x:auto;max-width:100%;margin:.5rem 0 1rem}
.scroll:focus-visible{outline:2px solid var(--link)}
table{border-collapse:collapse;font-size:.92rem;min-width:min(100%,30rem)}
caption{text-align:left;font-weight:600;padding:.25rem 0;caption-side:top}
th,td{border:1px solid var(--border);padding:.3rem .5rem;text-align:left;vertical-align:top}
thead th{background:var(--surface)}
tbody th{font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
td.wrap{overflow-wrap:anywhere;min-width:12rem;max-width:40rem}
.badges{display:flex;flex-wrap:wrap;gap:.75rem;margin:.5rem 0 1rem;padding:0;list-style:none}
.badges li{display:flex;flex-direction:column;align-items:center;min-width:5.5rem;padding:.4rem;border:1px solid var(--border);border-radius:.4rem;background:var(--surface)}
.badges .label{font-size:.85rem;color:var(--muted)}
.badge{display:inline-block;min-width:2.2em;padding:.05em .4em;border-radius:.3em;font-weight:700;text-align:center;color:var(--on-badge);background:var(--none);print-color-adjust:exact;-webkit-print-color-adjust:exact}
.badges .badge{font-size:1.6rem}
.badge.untested{background:transparent;color:var(--muted);border:1px dashed var(--muted);font-weight:600;font-size:.85rem;padding:.2em .4em}
.badges .badge.untested{font-size:.85rem}
.t-good{--tone:var(--good)}.t-warn{--tone:var(--warn)}.t-bad{--tone:var(--bad)}.t-low{--tone:var(--low)}.t-info{--tone:var(--info)}.t-none{--tone:var(--none)}
.badge[class*=" t-"]{background:var(--tone)}
.tone[class*=" t-"]{color:var(--tone);font-weight:600}
.sev{display:inline-block;min-width:5.5em;text-align:center;font-size:.8rem;font-weight:700;text-transform:uppercase;border-radius:.25em;padding:0 .3em;color:var(--on-badge);background:var(--tone,var(--none));print-color-adjust:exact;-webkit-print-color-adjust:exact}
.bars{margin:.5rem 0;max-width:40rem}
.bar{display:grid;grid-template-columns:minmax(6rem,9rem) 1fr 3rem;gap:.5rem;align-items:center;margin:.2rem 0}
.bar .track{display:block;height:.9rem;background:var(--surface);border:1px solid var(--border);border-radius:.2rem;overflow:hidden}
.bar .fill{display:block;height:100%;background:var(--tone,var(--none));print-color-adjust:exact;-webkit-print-color-adjust:exact}
.bar .val{text-align:right;font-variant-numeric:tabular-nums;font-weight:600}
ul.caps{margin:.25rem 0 .75rem;padding-left:1.2rem}
.panel{border:1px solid var(--border);border-radius:.4rem;padding:.5rem .75rem;margin:.5rem 0 1rem;background:var(--bg)}
ol.chain{list-style:none;padding:0;margin:.5rem 0 1rem;max-width:44rem}
ol.chain>li{border:1px solid var(--border);border-left:.35rem solid var(--tone,var(--border));border-radius:.3rem;padding:.4rem .6rem;background:var(--surface);position:relative}
ol.chain>li+li{margin-top:1.4rem}
ol.chain>li+li::before{content:"\\2191 issued by \\2193";position:absolute;top:-1.35rem;left:1rem;font-size:.8rem;color:var(--muted)}
ol.chain .role{font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .75rem;margin:.25rem 0}
dl.kv dt{color:var(--muted)}
dl.kv dd{margin:0;min-width:0}
details{border:1px solid var(--border);border-radius:.4rem;margin:.5rem 0;padding:0 .75rem}
details>summary{cursor:pointer;padding:.5rem 0;font-weight:600}
details[open]>summary{border-bottom:1px solid var(--border);margin-bottom:.5rem}
summary h2,summary h3{display:inline;border:0;margin:0;font-size:1.05rem}
ul.findings{list-style:none;padding:0;margin:0}
ul.findings>li{border-top:1px solid var(--border);padding:.5rem 0}
ul.findings .title{font-weight:600}
ul.refs{margin:.25rem 0;padding-left:1.2rem}
figure{margin:.5rem 0 1rem}
svg{max-width:100%;height:auto}
svg text{fill:var(--fg);font:12px system-ui,sans-serif}
svg .bar-rect{fill:var(--tone,var(--none))}
fieldset.sort{flex-wrap:wrap;gap:.25rem 1.25rem;min-width:0;margin:.5rem 0;padding:.4rem .75rem;border:1px solid var(--border);border-radius:.4rem}
fieldset.sort legend{font-weight:600;padding:0 .25rem}
fieldset.sort span{display:inline-flex;align-items:center}
fieldset.sort input{margin:0 .35rem 0 0;accent-color:var(--link)}
fieldset.sort input:focus-visible{outline:2px solid var(--link);outline-offset:2px}
fieldset.sort input:focus-visible+label{text-decoration:underline}
fieldset.sort input:checked+label{font-weight:600}
${sortCss()}
footer.bottom{border-top:1px solid var(--border);margin-top:2rem;padding-top:.5rem;font-size:.85rem;color:var(--muted)}
@media (max-width:40rem){.bar{grid-template-columns:6rem 1fr 2.5rem}dl.kv{grid-template-columns:1fr}dl.kv dt{margin-top:.3rem}}
@media print{
:root{${vars(LIGHT)};color-scheme:light}
body{font-size:11pt}
.page{max-width:none;padding:0}
.skip,nav.toc{display:none}
fieldset.sort{display:none}
.scroll{overflow:visible}
table{width:100%;min-width:0;font-size:.8rem}
th,td{padding:.15rem .25rem}
.badge,.sev{min-width:0}
th,td,code,.mono{overflow-wrap:anywhere;word-break:break-word}
a[href^="http"]::after{content:" (" attr(href) ")";font-size:.8em;color:var(--muted);overflow-wrap:anywhere}
details{border:0;padding:0}
details::details-content{content-visibility:visible;display:contents}
h2,h3{break-after:avoid}
tr,ol.chain>li,ul.findings>li,.bar{break-inside:avoid}
}
`.trim();
