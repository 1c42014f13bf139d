/**
 * The widget's styles, applied with a constructable stylesheet
 * (`adoptedStyleSheets`): a strict `style-src 'self'` CSP does not block it,
 * unlike a `<style>` element or a `style` attribute. Every colour, the radius
 * and the font come from `--rtvoice-*` custom properties, so a page themes the
 * widget from outside; each region is also exposed as a `::part()`.
 */
/** The dark palette: for `theme="dark"`, and for `theme="auto"` (or none) when the system prefers dark. */
const DARK = `
  --_bg: var(--rtvoice-bg, #18181b);
  --_fg: var(--rtvoice-fg, #f4f4f5);
  --_muted: var(--rtvoice-muted-fg, #a1a1aa);
  --_border: var(--rtvoice-border, #3f3f46);
  --_accent: var(--rtvoice-accent, #93c5fd);
  --_accent-fg: var(--rtvoice-accent-fg, #0b1220);
  --_danger: var(--rtvoice-danger, #fca5a5);
  --_danger-fg: var(--rtvoice-danger-fg, #220a0a);
  --_surface: var(--rtvoice-surface, #27272a);
  --_focus: var(--rtvoice-focus, #93c5fd);
`;

const CSS = `
:host {
  --_bg: var(--rtvoice-bg, #ffffff);
  --_fg: var(--rtvoice-fg, #18181b);
  --_muted: var(--rtvoice-muted-fg, #52525b);
  --_border: var(--rtvoice-border, #d4d4d8);
  --_accent: var(--rtvoice-accent, #1d4ed8);
  --_accent-fg: var(--rtvoice-accent-fg, #ffffff);
  --_danger: var(--rtvoice-danger, #b91c1c);
  --_danger-fg: var(--rtvoice-danger-fg, #ffffff);
  --_surface: var(--rtvoice-surface, #f4f4f5);
  --_focus: var(--rtvoice-focus, #1d4ed8);
  display: block;
  box-sizing: border-box;
  max-width: 100%;
  width: var(--rtvoice-width, 360px);
  font: var(--rtvoice-font, 15px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif);
  color: var(--_fg);
}
:host([hidden]) { display: none; }
:host([theme="dark"]) {${DARK}}
@media (prefers-color-scheme: dark) {
  :host(:not([theme="light"]):not([theme="dark"])) {${DARK}}
}
:host([position="bottom-right"]), :host([position="bottom-left"]) {
  position: fixed; bottom: 16px; z-index: var(--rtvoice-z-index, 2147483000);
  width: min(var(--rtvoice-width, 360px), calc(100vw - 32px));
}
:host([position="bottom-right"]) { right: 16px; }
:host([position="bottom-left"]) { left: 16px; }
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
.panel {
  display: flex; flex-direction: column; gap: 10px; padding: 12px;
  background: var(--_bg); color: var(--_fg);
  border: 1px solid var(--_border); border-radius: var(--rtvoice-radius, 14px);
  box-shadow: var(--rtvoice-shadow, 0 4px 16px rgb(0 0 0 / 0.12));
}
.head { display: flex; align-items: center; gap: 10px; min-height: 24px; }
.dot { flex: none; width: 12px; height: 12px; border-radius: 50%; background: var(--_muted); }
:host([data-state="listening"]) .dot, :host([data-state="user-speaking"]) .dot { background: var(--_accent); }
:host([data-state="assistant-speaking"]) .dot { background: var(--_accent); box-shadow: 0 0 0 4px color-mix(in srgb, var(--_accent) 30%, transparent); }
:host([data-state="error"]) .dot { background: var(--_danger); }
:host([data-state="connecting"]) .dot, :host([data-state="reconnecting"]) .dot { animation: pulse 1s ease-in-out infinite alternate; }
@keyframes pulse { from { opacity: 1; } to { opacity: 0.3; } }
.status { flex: 1; min-width: 0; font-weight: 600; overflow-wrap: anywhere; }
.viz { display: flex; align-items: center; gap: 3px; height: 24px; }
.viz span { width: 4px; height: 100%; border-radius: 2px; background: var(--_accent);
  transform: scaleY(calc(0.12 + var(--level, 0) * 0.88)); transition: transform 80ms linear; }
.viz span.out { background: var(--_muted); }
.controls { display: flex; flex-wrap: wrap; gap: 8px; }
button, input {
  font: inherit; min-height: 44px; border-radius: 10px;
}
button {
  min-width: 44px; padding: 0 16px; cursor: pointer; border: 1px solid var(--_border);
  background: var(--_surface); color: var(--_fg); touch-action: manipulation; user-select: none;
  -webkit-user-select: none;
}
button.primary { background: var(--_accent); color: var(--_accent-fg); border-color: var(--_accent); }
button.primary[data-live="true"] { background: var(--_danger); color: var(--_danger-fg); border-color: var(--_danger); }
button[aria-pressed="true"] { background: var(--_fg); color: var(--_bg); border-color: var(--_fg); }
button:disabled { cursor: default; opacity: 0.7; }
button:focus-visible, input:focus-visible { outline: 3px solid var(--_focus); outline-offset: 2px; }
.controls .primary { flex: 1 1 auto; }
.error { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; padding: 8px 10px;
  border-radius: 10px; border: 1px solid var(--_danger); color: var(--_fg); }
.error p { flex: 1 1 160px; margin: 0; }
.error .detail { display: block; margin-top: 2px; font-size: 0.85em; color: var(--_muted); overflow-wrap: anywhere; }
.log { margin: 0; padding: 0; list-style: none; max-height: var(--rtvoice-transcript-height, 200px);
  overflow-y: auto; display: flex; flex-direction: column; gap: 6px; }
.log li { padding: 6px 10px; border-radius: 10px; background: var(--_surface); overflow-wrap: anywhere; }
.log li[data-role="user"] { align-self: flex-end; background: var(--_accent); color: var(--_accent-fg); }
.log li[data-role="tool"] { color: var(--_muted); background: transparent; font-size: 0.9em; padding: 0 4px; }
.log .who { font-weight: 600; }
.log .mark { font-style: italic; }
form { display: flex; gap: 8px; margin: 0; }
input { flex: 1; min-width: 0; padding: 0 10px; border: 1px solid var(--_muted); background: var(--_bg); color: var(--_fg); }
.debug { display: grid; grid-template-columns: auto 1fr; gap: 2px 12px; margin: 0; font-size: 0.9em; color: var(--_fg); }
.debug dt { color: var(--_muted); }
.debug dd { margin: 0; font-variant-numeric: tabular-nums; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
@media (prefers-reduced-motion: reduce) {
  .viz span { transition: none; }
  :host([data-state="connecting"]) .dot, :host([data-state="reconnecting"]) .dot { animation: none; }
}
`;

let sheet: CSSStyleSheet | undefined;

/** The widget's stylesheet, created on first use (never at import) and shared by every instance. */
export function widgetStyleSheet(): CSSStyleSheet {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  return sheet;
}
