import { fileURLToPath } from 'node:url';
import { startStaticServer } from './static-server.js';

const PAGES = fileURLToPath(new URL('../pages/', import.meta.url)).replace(/\/$/, '');
const VENDOR = fileURLToPath(new URL('../node_modules/@openai/agents-realtime/dist/bundle/', import.meta.url)).replace(/\/$/, '');

/** Serves the interop page and the Agents SDK's own browser ESM bundle (from node_modules, never a CDN). */
export function startInteropPages() {
  return startStaticServer({ '/vendor/': VENDOR, '/': PAGES });
}
