import { VoiceSession, isRtvoiceError, type ConnectionState, type RtvoiceErrorCode, type VoiceSessionOptions } from '@rtvoice/client';
import { labelsFor, type WidgetLabels } from './i18n.js';
import { widgetStyleSheet } from './styles.js';
import { applyLabels, buildView, type WidgetView } from './view.js';
import { renderTranscript } from './transcript-view.js';
import { startVisualizer } from './visualizer.js';
import { resetDebug, showCost, showMetrics } from './debug-view.js';
import { activityOf, widgetStateOf, type WidgetActivity, type WidgetState } from './widget-state.js';
import type { RtvoiceWidgetEventMap, WidgetErrorDetail, WidgetStateDetail } from './events.js';

/** The attributes the widget reads (all optional except `token-url` or `call-url`). */
export const WIDGET_ATTRIBUTES = ['token-url', 'call-url', 'push-to-talk', 'speak-first', 'transcript', 'text-input', 'position', 'theme', 'lang', 'debug'] as const;

/** The public API of a `<rtvoice-widget>` element. */
export interface RtvoiceWidgetElement extends HTMLElement {
  /**
   * Every other `VoiceSession` option (tools with their `execute` functions,
   * `session`, `budget`, `getToken`, `audio`, `transport`…). Read when a call
   * starts: a change applies to the next call. The `token-url` and
   * `push-to-talk` attributes override `tokenUrl` and `pushToTalk` (a
   * `getToken` here wins over `token-url`).
   */
  options: VoiceSessionOptions;
  /** The session of the current (or last) call; `undefined` before the first call. */
  readonly session: VoiceSession | undefined;
  /** What the widget shows now. */
  readonly state: WidgetState;
  /** Starts a call (like the start button; call it from a user gesture). Resolves when connected or failed. */
  start(): Promise<void>;
  /** Ends the call. */
  end(): Promise<void>;
  addEventListener<K extends keyof RtvoiceWidgetEventMap>(type: K, listener: (this: HTMLElement, ev: RtvoiceWidgetEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

/** The constructor returned by {@link createWidgetClass}. */
export type RtvoiceWidgetConstructor = new () => RtvoiceWidgetElement;

const LIVE: ReadonlySet<ConnectionState> = new Set(['connecting', 'connected', 'reconnecting']);

/**
 * Builds the `<rtvoice-widget>` element class. Deferred into a function so
 * that importing the package never evaluates `class extends HTMLElement`
 * (which throws outside a browser, e.g. during SSR). Register it yourself
 * (`customElements.define('my-voice', createWidgetClass())`) or use
 * `defineRtvoiceWidget()` / `@rtvoice/widget/define`.
 *
 * Attributes: `token-url` (or `call-url`), `push-to-talk`, `speak-first`, `transcript`, `text-input`,
 * `position` (`inline` | `bottom-right` | `bottom-left`), `theme`
 * (`light` | `dark` | `auto`), `lang`, `debug`. Events (composed, bubbling):
 * `rtvoice-state`, `rtvoice-transcript`, `rtvoice-tool`, `rtvoice-error`.
 */
export function createWidgetClass(): RtvoiceWidgetConstructor {
  return class RtvoiceWidget extends HTMLElement implements RtvoiceWidgetElement {
    static get observedAttributes(): string[] {
      return [...WIDGET_ATTRIBUTES];
    }

    #options: VoiceSessionOptions = {};
    #session: VoiceSession | undefined;
    #offs: Array<() => void> = [];
    #view: WidgetView;
    #labels: WidgetLabels = labelsFor('en');
    #configError = false;
    /** The last state reported with `rtvoice-state`: the initial idle is not an event. */
    #reported: string | undefined = 'idle|undefined|idle';
    #announced: string | undefined;
    #stopVisualizer: (() => void) | undefined;
    #teardownTimer: ReturnType<typeof setTimeout> | undefined;
    #errorAction: 'retry' | 'sound' | undefined;
    #talking = false;
    /** A constructor must not add attributes to the host (`document.createElement` throws): `data-state` waits for the first callback. */
    #hostReady = false;

    constructor() {
      super();
      const root = this.attachShadow({ mode: 'open' });
      root.adoptedStyleSheets = [widgetStyleSheet()];
      const view = buildView(root);
      this.#view = view;
      view.call.addEventListener('click', () => void (LIVE.has(this.#state()) ? this.end() : this.start()));
      view.mute.addEventListener('click', () => this.#toggleMute());
      view.stop.addEventListener('click', () => this.#session?.interrupt());
      view.errorAction.addEventListener('click', () => void (this.#errorAction === 'sound' ? this.#resumeSound() : this.start()));
      view.form.addEventListener('submit', (e) => this.#submit(e));
      view.ptt.addEventListener('pointerdown', (e) => {
        if (e.button !== 0) return;
        view.ptt.setPointerCapture?.(e.pointerId);
        this.#press();
      });
      for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) view.ptt.addEventListener(type, () => this.#release());
      view.ptt.addEventListener('contextmenu', (e) => e.preventDefault());
      view.ptt.addEventListener('keydown', (e) => {
        if (e.key !== ' ' && e.key !== 'Enter') return;
        e.preventDefault();
        if (!e.repeat) this.#press();
      });
      view.ptt.addEventListener('keyup', (e) => {
        if (e.key === ' ' || e.key === 'Enter') this.#release();
      });
      view.ptt.addEventListener('blur', () => this.#release());
      // `options` set on the element before its definition loaded (a page script ahead of the
      // script-tag bundle) is an own property hiding the accessor: take it over.
      if (Object.prototype.hasOwnProperty.call(this, 'options')) {
        const early = (this as { options?: VoiceSessionOptions }).options;
        delete (this as { options?: VoiceSessionOptions }).options;
        this.options = early ?? {};
      }
      this.#applyAttributes();
      this.#render();
    }

    connectedCallback(): void {
      this.#hostReady = true;
      clearTimeout(this.#teardownTimer);
      this.#teardownTimer = undefined;
      this.#applyAttributes();
      this.#render();
    }

    disconnectedCallback(): void {
      // Moving the element (remove + insert in the same task) keeps the call; staying out ends it.
      clearTimeout(this.#teardownTimer);
      this.#teardownTimer = setTimeout(() => {
        if (!this.isConnected) this.#endSession();
      }, 0);
    }

    attributeChangedCallback(): void {
      this.#hostReady = true;
      // token-url and push-to-talk are read when a call starts: a change applies to the next call.
      this.#applyAttributes();
      this.#render();
    }

    get options(): VoiceSessionOptions {
      return this.#options;
    }

    set options(value: VoiceSessionOptions) {
      this.#options = { ...(value ?? {}) };
    }

    get session(): VoiceSession | undefined {
      return this.#session;
    }

    get state(): WidgetState {
      return this.#viewState();
    }

    async start(): Promise<void> {
      if (LIVE.has(this.#state()) || this.#state() === 'closing') return;
      this.#hideError();
      this.#configError = false;
      const session = this.#newSession();
      if (!session) return this.#render();
      // speak-first: the agent greets the user (the attribute's text, if any, instructs that greeting).
      const greeting = this.getAttribute('speak-first')?.trim();
      try {
        await session.connect(greeting === undefined ? {} : { speakFirst: greeting ? { instructions: greeting } : true });
      } catch {
        // Shown through the session's error event.
      }
    }

    async end(): Promise<void> {
      this.#release();
      await this.#session?.disconnect();
    }

    #state(): ConnectionState {
      return this.#session?.state ?? 'idle';
    }

    #activity(): WidgetActivity | undefined {
      const s = this.#session;
      return s && s.state === 'connected' ? activityOf(s.speaking, s.muted) : undefined;
    }

    #viewState(): WidgetState {
      if (this.#configError) return 'error';
      return widgetStateOf(this.#state(), this.#activity() ?? 'listening');
    }

    #newSession(): VoiceSession | undefined {
      this.#unsubscribe();
      const old = this.#session;
      if (old && old.state !== 'closed' && old.state !== 'idle' && old.state !== 'failed') void old.disconnect();
      const options: VoiceSessionOptions = { ...this.#options };
      const tokenUrl = this.getAttribute('token-url')?.trim();
      // A server-controlled call (`call-url`: the app's createCallHandler) replaces the token endpoint.
      const callUrl = this.getAttribute('call-url')?.trim();
      if (!options.getToken && callUrl) {
        options.callUrl = callUrl;
        delete options.tokenUrl;
      } else if (!options.getToken && tokenUrl) {
        options.tokenUrl = tokenUrl;
        delete options.callUrl;
      }
      if (this.hasAttribute('push-to-talk')) options.pushToTalk = true;
      if (!options.tokenUrl && !options.getToken && !options.callUrl) {
        this.#configError = true;
        this.#fail('invalid_options', this.#labels.noTokenUrl);
        return undefined;
      }
      let session: VoiceSession;
      try {
        session = new VoiceSession(options);
      } catch (error) {
        this.#configError = true;
        this.#fail(isRtvoiceError(error) ? error.code : 'invalid_options', error instanceof Error ? error.message : String(error));
        return undefined;
      }
      this.#session = session;
      const fire = <K extends keyof RtvoiceWidgetEventMap>(type: K, detail: RtvoiceWidgetEventMap[K]['detail']) =>
        this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
      this.#offs.push(
        session.on('stateChange', () => this.#render()),
        session.on('speaking', () => this.#render()),
        // Mute changes made by the app through `session` show too.
        session.on('muteChange', () => this.#render()),
        session.on('historyChange', ({ history }) => renderTranscript(this.#view.transcript, history, this.#labels)),
        session.on('transcript', (t) => {
          fire('rtvoice-transcript', t);
          if (t.final && t.text) this.#announce(`${t.role === 'user' ? this.#labels.you : this.#labels.agent}: ${t.text}`);
        }),
        session.on('toolCall', ({ callId, name, args }) => fire('rtvoice-tool', { phase: 'call', callId, name, args })),
        session.on('toolResult', ({ callId, name, result, durationMs }) => fire('rtvoice-tool', { phase: 'result', callId, name, result, durationMs })),
        session.on('toolError', ({ callId, name, error }) => fire('rtvoice-tool', { phase: 'error', callId, name, code: error.code, message: error.message })),
        session.on('usage', (u) => showCost(this.#view, u)),
        session.on('metrics', (m) => showMetrics(this.#view, m)),
        session.on('error', (e) => this.#fail(e.code, e.message)),
      );
      resetDebug(this.#view);
      renderTranscript(this.#view.transcript, [], this.#labels);
      return session;
    }

    #unsubscribe(): void {
      for (const off of this.#offs.splice(0)) off();
    }

    #endSession(): void {
      this.#release();
      void this.#session?.disconnect();
    }

    #toggleMute(): void {
      const s = this.#session;
      if (!s || s.state !== 'connected') return;
      if (s.muted) s.unmute();
      else s.mute();
      this.#render();
    }

    #press(): void {
      const s = this.#session;
      if (this.#talking || s?.state !== 'connected') return;
      this.#talking = true;
      s.startTalking();
      this.#render();
    }

    #release(): void {
      if (!this.#talking) return;
      this.#talking = false;
      if (this.#session?.state === 'connected') this.#session.stopTalking();
      this.#render();
    }

    #submit(e: Event): void {
      e.preventDefault();
      const text = this.#view.input.value.trim();
      const s = this.#session;
      if (!text || s?.state !== 'connected') return;
      s.sendText(text);
      this.#view.input.value = '';
    }

    async #resumeSound(): Promise<void> {
      try {
        await this.#session?.resumeAudio();
        this.#hideError();
      } catch {
        // Still blocked: the error event says so again.
      }
    }

    #fail(code: RtvoiceErrorCode, message: string): void {
      const v = this.#view;
      const human = this.#labels.errors[code];
      // The human message first; the client's own (technical, key-free) message after it, smaller.
      v.errorDetail.textContent = human ? message : '';
      v.errorText.replaceChildren(human ?? message, v.errorDetail);
      v.error.hidden = false;
      this.#errorAction = code === 'autoplay_blocked' || code === 'audio_playback_failed' ? 'sound' : 'retry';
      this.#announce(human ?? message);
      const detail: WidgetErrorDetail = { code, message };
      this.dispatchEvent(new CustomEvent('rtvoice-error', { detail, bubbles: true, composed: true }));
      this.#render();
    }

    #hideError(): void {
      this.#view.error.hidden = true;
      this.#view.errorText.replaceChildren();
      this.#errorAction = undefined;
    }

    #announce(text: string): void {
      this.#view.live.textContent = text;
    }

    #applyAttributes(): void {
      const lang = this.getAttribute('lang') ?? this.parentElement?.closest('[lang]')?.getAttribute('lang');
      const labels = labelsFor(lang);
      if (labels !== this.#labels) {
        this.#labels = labels;
        this.#announced = undefined;
        if (this.#session) renderTranscript(this.#view.transcript, this.#session.history, labels);
      }
      applyLabels(this.#view, this.#labels);
      this.#view.transcript.hidden = !this.hasAttribute('transcript');
      this.#view.form.hidden = !this.hasAttribute('text-input');
      this.#view.debug.hidden = !this.hasAttribute('debug');
      if (!this.#session) resetDebug(this.#view);
    }

    #render(): void {
      const v = this.#view;
      const state = this.#state();
      const activity = this.#activity();
      const view = this.#viewState();
      const live = LIVE.has(state);
      const connected = state === 'connected';
      if (this.#hostReady) this.setAttribute('data-state', view);
      v.status.textContent = this.#labels.states[view];
      v.call.textContent = live ? this.#labels.end : this.#labels.start;
      v.call.dataset.live = String(live);
      v.call.disabled = state === 'closing';
      v.mute.hidden = !connected;
      v.mute.setAttribute('aria-pressed', String(Boolean(this.#session?.muted)));
      v.ptt.hidden = !connected || !this.#session?.pushToTalk;
      v.ptt.setAttribute('aria-pressed', String(this.#talking));
      v.stop.hidden = activity !== 'assistant-speaking';
      v.input.disabled = !connected;
      v.send.disabled = !connected;
      v.errorAction.hidden = this.#errorAction === undefined || (this.#errorAction === 'retry' && live);
      v.errorAction.textContent = this.#errorAction === 'sound' ? this.#labels.enableSound : this.#labels.retry;
      if (connected && !this.#stopVisualizer && this.#session) this.#stopVisualizer = startVisualizer(v.visualizer, this.#session);
      if (!connected && this.#stopVisualizer) {
        this.#stopVisualizer();
        this.#stopVisualizer = undefined;
      }
      if (!connected) this.#talking = false;
      const key = `${state}|${activity}|${view}`;
      if (key !== this.#reported) {
        this.#reported = key;
        const detail: WidgetStateDetail = { state: this.#configError ? 'failed' : state, activity, view };
        this.dispatchEvent(new CustomEvent('rtvoice-state', { detail, bubbles: true, composed: true }));
      }
      // Announced: the connection and mute states, not every speaking turn (that would talk over the agent).
      const spoken = view === 'user-speaking' || view === 'assistant-speaking' ? 'listening' : view;
      if (spoken !== this.#announced) {
        const first = this.#announced === undefined;
        this.#announced = spoken;
        if (!first && spoken !== 'error') this.#announce(this.#labels.states[spoken]);
      }
    }
  };
}
