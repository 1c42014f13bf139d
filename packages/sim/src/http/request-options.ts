import type { IncomingMessage } from 'node:http';
import { type FaultSpec, parseFaults } from '../faults/fault-spec.js';

/** Per-request sim options read from headers and query parameters. */
export interface RequestOptions {
  faults?: FaultSpec;
  scenario?: string;
}

/**
 * Reads `X-Sim-Fault` / `?sim_fault=` and `X-Sim-Scenario` / `?sim_scenario=`.
 * Header and query faults are merged (query wins per target).
 *
 * @throws SimError `invalid_fault` on a malformed fault list.
 */
export function readRequestOptions(req: IncomingMessage, url: URL): RequestOptions {
  const out: RequestOptions = {};
  const header = req.headers['x-sim-fault'];
  const texts = [
    ...(Array.isArray(header) ? header : header ? [header] : []),
    ...url.searchParams.getAll('sim_fault'),
  ];
  if (texts.length > 0) out.faults = parseFaults(texts.join(','));
  const scenario = url.searchParams.get('sim_scenario') ?? req.headers['x-sim-scenario'];
  if (typeof scenario === 'string' && scenario.trim()) out.scenario = scenario.trim();
  return out;
}
