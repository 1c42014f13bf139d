// @rtvoice/client: the audio worklet of the WebSocket transport.
//
// Host this file on your own origin and pass its URL as `workletUrl` (a real
// file: a strict CSP forbids worklets from blob: and data: URLs). It registers
// two processors:
//   rtvoice-capture   microphone -> mono Float32 chunks at the session's input rate
//   rtvoice-playback  model audio chunks -> speakers, with a small jitter buffer,
//                     counting exactly how much of each item was played
// It has no imports and no dependencies.
//
// Both take { t: 'stop' }: the processor answers { t: 'stopped' } and returns false
// from then on. Chromium keeps a worklet node, and its AudioContext, alive for as
// long as its processor's process() last returned true, even after the context
// is closed: stop them before closing it.

/* global AudioWorkletProcessor, registerProcessor, sampleRate */

/** The last call of a stopped processor: says so once, and lets the node go. */
function stop(processor) {
  if (!processor.said) processor.port.postMessage({ t: 'stopped' });
  processor.said = true;
  return false;
}

/**
 * Resamples the microphone to `rate` and posts Float32Array chunks of
 * `chunkMs`. Downsampling averages each output interval (a box filter, which
 * keeps aliasing out of speech better than picking samples); upsampling
 * interpolates linearly.
 */
class RtvoiceCapture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = options.processorOptions || {};
    this.configure(o.rate || 24000, o.chunkMs || 20);
    this.stopped = false;
    this.port.onmessage = (e) => {
      if (e.data && e.data.t === 'stop') this.stopped = true;
      else if (e.data && e.data.rate) this.configure(e.data.rate, this.chunkMs);
    };
  }

  configure(rate, chunkMs) {
    this.rate = rate;
    this.chunkMs = chunkMs;
    this.step = sampleRate / rate; // input samples per output sample
    this.chunk = new Float32Array(Math.max(1, Math.round((rate * chunkMs) / 1000)));
    this.filled = 0;
    this.acc = 0; // sum of the current output interval (downsampling)
    this.count = 0; // input samples in it
    this.phase = 0; // input position of the next output sample, relative to the current input sample
    this.last = 0; // previous input sample (upsampling)
  }

  process(inputs) {
    if (this.stopped) return stop(this);
    const input = inputs[0];
    const ch = input && input[0];
    if (!ch) return true;
    if (this.step >= 1) {
      for (let i = 0; i < ch.length; i++) {
        this.acc += ch[i];
        this.count++;
        this.phase += 1;
        if (this.phase >= this.step) {
          this.phase -= this.step;
          this.emit(this.acc / this.count);
          this.acc = 0;
          this.count = 0;
        }
      }
    } else {
      for (let i = 0; i < ch.length; i++) {
        const x = ch[i];
        while (this.phase < 1) {
          this.emit(this.last + (x - this.last) * this.phase);
          this.phase += this.step;
        }
        this.phase -= 1;
        this.last = x;
      }
    }
    return true;
  }

  emit(sample) {
    this.chunk[this.filled++] = sample;
    if (this.filled === this.chunk.length) {
      const out = this.chunk;
      this.chunk = new Float32Array(out.length); // before the transfer detaches `out` (its length becomes 0)
      this.filled = 0;
      this.port.postMessage(out, [out.buffer]);
    }
  }
}

/**
 * Plays queued chunks (`{ t: 'push', item, data, rate }`), interpolated to the
 * context's rate. Playback starts once `prebufferMs` is queued, or at once
 * after `{ t: 'end' }` (no more audio is coming for now). Messages out:
 *   { t: 'start', item }                 playback began (after being idle), or moved on to another item
 *   { t: 'idle', item, played, pushes }  the queue ran dry after `pushes` pushes (a later push makes it stale)
 *   { t: 'cleared', id, item, played }   answer to { t: 'clear', id }: the queue was dropped
 * `played` counts the source samples of `item` that were output.
 */
class RtvoicePlayback extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const o = options.processorOptions || {};
    this.prebufferMs = o.prebufferMs === undefined ? 40 : o.prebufferMs;
    this.queue = [];
    this.queued = 0; // seconds of audio queued
    this.pos = 0; // read position in queue[0], in source samples
    this.playing = false;
    this.ended = false;
    this.item = null;
    this.played = 0;
    this.pushes = 0;
    this.stopped = false;
    this.port.onmessage = (e) => this.onMessage(e.data);
  }

  onMessage(m) {
    if (m.t === 'stop') {
      this.stopped = true;
    } else if (m.t === 'push') {
      this.pushes++;
      this.queue.push(m);
      this.queued += m.data.length / m.rate;
      this.ended = false;
    } else if (m.t === 'end') {
      this.ended = true;
    } else if (m.t === 'clear') {
      this.queue = [];
      this.queued = 0;
      this.pos = 0;
      this.playing = false;
      this.ended = false;
      this.port.postMessage({ t: 'cleared', id: m.id, item: this.item, played: this.played });
    }
  }

  process(_inputs, outputs) {
    if (this.stopped) return stop(this);
    const out = outputs[0][0];
    if (!this.playing) {
      if (this.queue.length === 0 || (!this.ended && this.queued * 1000 < this.prebufferMs)) return true;
      this.playing = true;
      // Resuming the same item after a gap; a new item is reported below.
      if (this.queue[0].item === this.item) this.port.postMessage({ t: 'start', item: this.item });
    }
    let i = 0;
    while (i < out.length && this.queue.length > 0) {
      const c = this.queue[0];
      if (c.item !== this.item) {
        this.item = c.item;
        this.played = 0;
        this.port.postMessage({ t: 'start', item: c.item });
      }
      const step = c.rate / sampleRate;
      const d = c.data;
      while (i < out.length && this.pos < d.length) {
        const k = Math.floor(this.pos);
        const f = this.pos - k;
        const a = d[k];
        const b = k + 1 < d.length ? d[k + 1] : a;
        out[i++] = a + (b - a) * f;
        const next = this.pos + step;
        this.played += Math.floor(next) - k;
        this.pos = next;
      }
      if (this.pos >= d.length) {
        this.pos -= d.length;
        this.queued -= d.length / c.rate;
        this.queue.shift();
      }
    }
    if (this.queue.length === 0) {
      this.playing = false;
      this.queued = 0;
      this.pos = 0;
      this.port.postMessage({ t: 'idle', item: this.item, played: this.played, pushes: this.pushes });
    }
    // Copy mono to any further channels.
    for (let c = 1; c < outputs[0].length; c++) outputs[0][c].set(out);
    return true;
  }
}

registerProcessor('rtvoice-capture', RtvoiceCapture);
registerProcessor('rtvoice-playback', RtvoicePlayback);
