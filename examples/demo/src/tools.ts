import type { ToolDefinition } from '@rtvoice/client';

/** Colours the agent may give the page: each passes WCAG AA with white text. */
export const ACCENTS: Readonly<Record<string, string>> = {
  blue: '#1d4ed8',
  teal: '#0f766e',
  green: '#15803d',
  purple: '#6d28d9',
  pink: '#be185d',
  red: '#b91c1c',
  orange: '#c2410c',
};

/** Made-up but stable weather, so the demo needs no network: the same city always gets the same answer. */
function weatherOf(city: string): { city: string; temperature_c: number; conditions: string } {
  let hash = 0;
  for (const c of city.toLowerCase()) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  const conditions = ['sunny', 'partly cloudy', 'cloudy', 'rainy', 'windy'][hash % 5]!;
  return { city, temperature_c: 8 + (hash % 20), conditions };
}

/** The page's tools: they run in the browser and change what the visitor sees. */
export function demoTools(page: { showWeather(w: ReturnType<typeof weatherOf>): void; setAccent(name: string, hex: string): void }): ToolDefinition[] {
  return [
    {
      name: 'get_weather',
      description: 'The current weather in a city; also shows it on the page.',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      execute: async (args) => {
        const { city } = args as { city: string };
        const weather = weatherOf(city);
        page.showWeather(weather);
        return weather;
      },
    },
    {
      name: 'set_accent_color',
      description: `Sets the accent colour of the page. One of: ${Object.keys(ACCENTS).join(', ')}.`,
      parameters: { type: 'object', properties: { color: { type: 'string', enum: Object.keys(ACCENTS) } }, required: ['color'] },
      execute: async (args) => {
        const color = String((args as { color: string }).color).toLowerCase();
        const hex = ACCENTS[color];
        if (!hex) throw new Error(`Unknown colour "${color}". Known: ${Object.keys(ACCENTS).join(', ')}.`);
        page.setAccent(color, hex);
        return { color, hex };
      },
    },
  ];
}
