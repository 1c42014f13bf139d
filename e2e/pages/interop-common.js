// Shared by the interop pages: the weather tool the `tool-call` scenario calls, and minting a key
// on the sim (with the scenario riding on it), as an app's token server would.
import { tool } from '/vendor/openai-realtime-agents.mjs';

/** `get_weather`, recording each city it is asked for in `state.toolCalls`. */
export function weatherTool(state) {
  return tool({
    name: 'get_weather',
    description: 'Current weather for a city.',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
      additionalProperties: false,
    },
    strict: true,
    execute: async ({ city }) => {
      state.toolCalls.push(city);
      return JSON.stringify({ city, temperature_c: 21, conditions: 'sunny' });
    },
  });
}

/** An ephemeral key from the sim's client_secrets endpoint. */
export async function mint(sim, scenario) {
  const query = scenario ? `?sim_scenario=${encodeURIComponent(scenario)}` : '';
  const res = await fetch(`${sim}/v1/realtime/client_secrets${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ session: { type: 'realtime', model: 'gpt-realtime' } }),
  });
  if (!res.ok) throw new Error(`client_secrets answered ${res.status}`);
  return (await res.json()).value;
}
