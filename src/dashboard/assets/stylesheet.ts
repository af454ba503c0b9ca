// The dashboard's one stylesheet, served from the package itself: system fonts only, so nothing
// is fetched from the net.

/** CSS of every page. */
export const STYLESHEET = `
:root { color-scheme: light; --ink: #1d232a; --muted: #5c6670; --line: #d9dee3; --accent: #1b6ca8; --bg: #f5f6f7; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg); }
header { display: flex; gap: 24px; align-items: center; padding: 10px 20px; background: #14324a; color: #fff; }
header .brand { font-weight: 700; letter-spacing: .02em; }
header nav a { color: #d6e6f5; text-decoration: none; margin-right: 18px; }
header nav a[aria-current] { color: #fff; border-bottom: 2px solid #7fc1f0; }
header .count { display: inline-block; min-width: 1.4em; padding: 0 5px; border-radius: 9px; background: #2f5d80; text-align: center; font-size: 12px; }
main { padding: 16px 20px 40px; max-width: 1500px; }
footer { padding: 12px 20px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); }
h1 { font-size: 22px; margin: 4px 0 12px; }
h2 { font-size: 16px; margin: 22px 0 8px; }
a { color: var(--accent); }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
table { border-collapse: collapse; background: #fff; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 9px; text-align: left; vertical-align: top; }
th { background: #eef1f4; font-weight: 600; white-space: nowrap; }
th a { color: inherit; text-decoration: none; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.table-wrap { overflow-x: auto; }
#runs td[data-col="command"] { max-width: 340px; overflow-wrap: anywhere; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
.filters { display: flex; flex-wrap: wrap; gap: 10px 16px; align-items: end; margin-bottom: 10px; padding: 10px; background: #fff; border: 1px solid var(--line); }
.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 2px; }
.filters select, .filters input { font: inherit; padding: 3px 4px; min-width: 120px; }
button { font: inherit; padding: 4px 12px; border: 1px solid #2f5d80; background: #1b6ca8; color: #fff; border-radius: 3px; cursor: pointer; }
.summary { color: var(--muted); }
.notice { background: #fff7d6; border: 1px solid #e7cf73; padding: 6px 10px; }
.status { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; background: #e3e7eb; }
.status-running { background: #d7f0dc; color: #17612a; }
.status-interrupted { background: #fde2d6; color: #8a3311; }
.status-finished { background: #e3ecf6; color: #1d4f7c; }
.notes { color: #8a5a00; cursor: help; font-size: 12px; }
.damaged, .problems { background: #fff1ef; border: 1px solid #f0b8ad; padding: 8px 12px; }
.problems ul { margin: 6px 0; padding-left: 20px; }
.pager { margin: 10px 0; }
.columns { display: flex; flex-wrap: wrap; gap: 24px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 14px; max-width: 1200px; }
.charts figure { margin: 0; background: #fff; border: 1px solid var(--line); }
.chart { width: 100%; height: auto; display: block; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 12px; }
.live-card { background: #fff; border: 1px solid var(--line); padding: 10px 14px; }
.live-card h3 { margin: 0 0 2px; font-size: 15px; overflow-wrap: anywhere; }
.live-card .sub, .live-card .devices { color: var(--muted); margin: 2px 0; font-size: 12.5px; }
.live-card .figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(104px, 1fr)); gap: 6px 12px; margin: 8px 0; }
.figure .label { display: block; font-size: 11.5px; color: var(--muted); }
.figure .value { font-size: 17px; font-variant-numeric: tabular-nums; }
blockquote#sentence { background: #fff; border-left: 4px solid var(--accent); margin: 8px 0; padding: 10px 14px; max-width: 900px; }
.tabs a { margin-right: 12px; }
.tabs a[aria-current] { font-weight: 700; }
`;
