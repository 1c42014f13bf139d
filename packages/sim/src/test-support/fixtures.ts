import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The official protocol fixtures (copied verbatim from the project's shared
 * research folder, `protocol-fixtures/`).
 */
function load<T>(name: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)), 'utf8')) as T;
}

/** One event schema of the OpenAPI fixture. */
export interface FixtureEventSchema {
  schema: string;
  event_type: string;
  example?: Record<string, unknown>;
  required_fields: string[];
  properties: string[];
}

/** `ga_openapi_event_examples.openai-openapi.json`. */
export const gaFixture = load<{
  client_events: FixtureEventSchema[];
  server_events: FixtureEventSchema[];
  http: { create_client_secret: { example_response_raw: string } };
}>('ga_openapi_event_examples.openai-openapi.json');

/** `errors_http_and_event_payloads.json`. */
export const errorsFixture = load<{
  http_errors: Array<{ status: number; body: { error: Record<string, unknown> } }>;
  error_events: Array<{ event?: { error: Record<string, unknown> }; event_error_object_only?: Record<string, unknown> }>;
}>('errors_http_and_event_payloads.json');

/** `docs_function_call_roundtrip_and_ptt.openai-guide.json`. */
export const guideFixture = load<{
  sequence: Array<{ direction: string; event?: Record<string, unknown>; event_parsed_without_elision?: Record<string, unknown> }>;
  webrtc_push_to_talk_client_sequence: Array<{ step: string; event: Record<string, unknown> }>;
}>('docs_function_call_roundtrip_and_ptt.openai-guide.json');

/** The GA server-event schema of `type`. */
export function serverSchema(type: string): FixtureEventSchema {
  const found = gaFixture.server_events.find((s) => s.event_type === type);
  if (!found) throw new Error(`No fixture schema for ${type}`);
  return found;
}

/**
 * Checks one emitted event against the official schema: every required
 * field present, and no field the schema does not list. Returns problems.
 */
export function schemaProblems(event: Record<string, unknown>): string[] {
  const schema = serverSchema(String(event.type));
  const problems: string[] = [];
  for (const field of schema.required_fields) if (!(field in event)) problems.push(`${schema.event_type}: missing ${field}`);
  for (const key of Object.keys(event)) if (!schema.properties.includes(key)) problems.push(`${schema.event_type}: extra ${key}`);
  return problems;
}
