// Drives <rtvoice-widget> (the script-tag bundle) through every state with the
// client's FakeTransport as the server, for the screenshot and axe tests.
import { FakeTransport } from '/client/testing.js';

const widget = document.querySelector('rtvoice-widget');
const transports = [];
const csp = [];
document.addEventListener('securitypolicyviolation', (e) => csp.push(`${e.violatedDirective} ${e.blockedURI}`), true);

window.widgetStates = {
  csp,
  /** Scripted calls from now on; `manualOpen` holds the next call in `connecting`. */
  scripted({ manualOpen = false } = {}) {
    widget.options = {
      getToken: async () => ({ value: 'ek_screens', callsUrl: 'https://rt.test/v1/realtime/calls' }),
      transport: () => {
        const t = new FakeTransport({ manualOpen });
        transports.push(t);
        return t;
      },
      // A drop stays in `reconnecting` long enough to look at it.
      reconnect: { maxAttempts: 1, backoffMs: 600_000 },
      logLevel: 'silent',
    };
  },
  /** No token source at all: the set-up error. */
  unconfigured() {
    widget.removeAttribute('token-url');
    widget.options = {};
  },
  get fake() {
    return transports.at(-1);
  },
  /** Ends the open answer normally (transcript done, response done, audio stopped). */
  finish(responseId, itemId, text) {
    const f = transports.at(-1);
    f.receive({ type: 'response.output_audio_transcript.done', event_id: 'e_done', response_id: responseId, item_id: itemId, content_index: 0, transcript: text });
    f.receive({ type: 'response.done', event_id: 'e_rdone', response: { id: responseId, status: 'completed', output: [{ id: itemId, type: 'message', role: 'assistant', status: 'completed' }], usage: { total_tokens: 10, input_tokens: 5, output_tokens: 5 } } });
    f.receive({ type: 'output_audio_buffer.stopped', event_id: 'e_stop', response_id: responseId });
  },
  ready: true,
};
