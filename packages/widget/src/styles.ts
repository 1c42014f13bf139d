/**
 * The widget's styles. Applied with a constructable stylesheet
 * (`adoptedStyleSheets`), which a strict `style-src` CSP does not block, unlike
 * an inline `<style>` element. Colours come from custom properties so a page
 * can theme the widget from outside the shadow root.
 */
export const WIDGET_CSS = `
:host { display: inline-block; font: 14px/1.4 system-ui, sans-serif; color: var(--rtvoice-fg, #1d1d1f); }
.panel { display: flex; flex-direction: column; gap: 8px; padding: 12px; min-width: 240px; max-width: 360px;
  border-radius: 12px; background: var(--rtvoice-bg, #fff); box-shadow: 0 2px 10px rgb(0 0 0 / 0.15); }
button { font: inherit; padding: 8px 14px; border-radius: 999px; border: 0; cursor: pointer;
  background: var(--rtvoice-accent, #2563eb); color: #fff; }
button[aria-pressed="true"] { background: var(--rtvoice-stop, #dc2626); }
button:disabled { opacity: 0.6; cursor: progress; }
.status { font-size: 12px; opacity: 0.75; }
.log { max-height: 160px; overflow-y: auto; margin: 0; padding: 0; list-style: none; font-size: 13px; }
.log li[data-role="user"]::before { content: "You: "; font-weight: 600; }
.log li[data-role="assistant"]::before { content: "Agent: "; font-weight: 600; }
.error { color: var(--rtvoice-error, #b91c1c); font-size: 12px; }
`;
