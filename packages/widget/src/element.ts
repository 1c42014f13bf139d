import { VoiceSession, type ConnectionState, type RtvoiceError, type TranscriptEvent } from '@rtvoice/client';
import { WIDGET_CSS } from './styles.js';

const LABELS: Record<ConnectionState, string> = {
  idle: 'Ready',
  connecting: 'Connecting…',
  connected: 'Listening',
  reconnecting: 'Reconnecting…',
  closing: 'Ending…',
  closed: 'Ended',
  failed: 'Failed',
};

/** How many transcript lines the widget keeps on screen. */
const MAX_LINES = 50;

/**
 * Builds the `<rtvoice-widget>` element class. Deferred into a function so that
 * importing this package never evaluates `class extends HTMLElement` (which
 * throws outside a browser, e.g. during SSR).
 *
 * Attributes: `token-url` (required: your token endpoint). The element
 * dispatches `rtvoice-state` and `rtvoice-error` DOM events (composed, bubbling).
 */
export function createWidgetClass(): CustomElementConstructor {
  return class RtvoiceWidgetElement extends HTMLElement {
    #session: VoiceSession | undefined;
    #offs: Array<() => void> = [];
    #button!: HTMLButtonElement;
    #status!: HTMLElement;
    #log!: HTMLOListElement;
    #error!: HTMLElement;
    #lines = new Map<string, HTMLLIElement>();

    static get observedAttributes(): string[] {
      return ['token-url'];
    }

    connectedCallback(): void {
      if (this.shadowRoot) return;
      const root = this.attachShadow({ mode: 'open' });
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(WIDGET_CSS);
      root.adoptedStyleSheets = [sheet];
      const panel = el('div', 'panel');
      this.#button = el('button', '') as HTMLButtonElement;
      this.#button.type = 'button';
      this.#button.setAttribute('aria-pressed', 'false');
      this.#button.textContent = 'Start talking';
      this.#button.addEventListener('click', () => void this.#toggle());
      this.#status = el('div', 'status');
      this.#status.setAttribute('role', 'status');
      this.#status.textContent = LABELS.idle;
      this.#log = el('ol', 'log') as HTMLOListElement;
      this.#log.setAttribute('aria-live', 'polite');
      this.#log.setAttribute('aria-label', 'Conversation');
      this.#error = el('div', 'error');
      this.#error.setAttribute('role', 'alert');
      panel.append(this.#button, this.#status, this.#log, this.#error);
      root.append(panel);
    }

    disconnectedCallback(): void {
      this.#teardown();
    }

    attributeChangedCallback(): void {
      // A new token URL applies to the next connection.
      if (this.#session?.state !== 'connected' && this.#session?.state !== 'connecting') this.#teardown();
    }

    /** The session behind the widget, for apps that want more than the UI (created on first start). */
    get session(): VoiceSession | undefined {
      return this.#session;
    }

    async #toggle(): Promise<void> {
      const state = this.#session?.state;
      if (state === 'connected' || state === 'connecting') {
        this.#session?.disconnect();
        return;
      }
      this.#error.textContent = '';
      try {
        await this.#ensureSession().connect();
      } catch {
        // Already shown through the session's error event.
      }
    }

    #ensureSession(): VoiceSession {
      if (this.#session) return this.#session;
      const tokenUrl = this.getAttribute('token-url') ?? '';
      const session = new VoiceSession({ tokenUrl });
      this.#offs.push(
        session.on('stateChange', ({ state }) => this.#render(state)),
        session.on('transcript', (t) => this.#transcript(t)),
        session.on('error', (e) => this.#showError(e)),
      );
      this.#session = session;
      return session;
    }

    #render(state: ConnectionState): void {
      this.#status.textContent = LABELS[state];
      const live = state === 'connected' || state === 'connecting';
      this.#button.setAttribute('aria-pressed', String(live));
      this.#button.textContent = live ? 'Stop' : 'Start talking';
      this.#button.disabled = state === 'closing';
      this.dispatchEvent(new CustomEvent('rtvoice-state', { detail: { state }, bubbles: true, composed: true }));
    }

    #transcript(t: TranscriptEvent): void {
      let line = this.#lines.get(t.itemId);
      if (!line) {
        line = document.createElement('li');
        line.dataset.role = t.role;
        this.#lines.set(t.itemId, line);
        this.#log.append(line);
        while (this.#log.children.length > MAX_LINES) {
          const first = this.#log.firstElementChild as HTMLLIElement;
          for (const [id, node] of this.#lines) if (node === first) this.#lines.delete(id);
          first.remove();
        }
      }
      line.textContent = t.text || '…';
      this.#log.scrollTop = this.#log.scrollHeight;
    }

    #showError(error: RtvoiceError): void {
      this.#error.textContent = error.message;
      this.dispatchEvent(new CustomEvent('rtvoice-error', { detail: { code: error.code, message: error.message }, bubbles: true, composed: true }));
    }

    #teardown(): void {
      this.#session?.disconnect();
      for (const off of this.#offs.splice(0)) off();
      this.#session = undefined;
    }
  };
}

function el(tag: string, className: string): HTMLElement {
  const node = document.createElement(tag);
  if (className) node.className = className;
  return node;
}
