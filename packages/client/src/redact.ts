/**
 * Removes anything that looks like an OpenAI key (`sk-…`, `ek_…`, `sess_…` secrets)
 * from text that came from a server, before it goes into an error message.
 * Upstream error messages sometimes echo a masked part of the key they refused.
 */
export function redactSecrets(text: string): string {
  return text.replace(/\b(?:sk-|ek_|rk-|sess_)[A-Za-z0-9_\-*.]{3,}/g, '[redacted]');
}
