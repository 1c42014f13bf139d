/**
 * `<rtvoice-widget>` in React 19, without a wrapper: attributes as props,
 * `options` (tools with their `execute`) set as a property by React, the
 * widget's DOM events through `on<event-name>` props.
 */
import '@rtvoice/widget/define';
import { StrictMode, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { RtvoiceWidgetElement } from '@rtvoice/widget';

function App() {
  const [state, setState] = useState('idle');
  const [dice, setDice] = useState<number[]>([]);
  const options = useMemo<RtvoiceWidgetElement['options']>(
    () => ({
      tools: [
        {
          name: 'roll_dice',
          description: 'Rolls a six-sided die and shows it on the page.',
          parameters: { type: 'object', properties: {} },
          execute: async () => {
            const value = 1 + Math.floor(Math.random() * 6);
            setDice((d) => [...d, value]);
            return { value };
          },
        },
      ],
    }),
    [],
  );
  return (
    <main>
      <h1>rtvoice in React</h1>
      <p>
        Widget state: <strong data-testid="state">{state}</strong>
      </p>
      <rtvoice-widget
        token-url="/api/token"
        transcript
        text-input
        options={options}
        onrtvoice-state={(e) => setState(e.detail.view)}
      />
      <p>Dice rolled by the agent: {dice.length ? dice.join(', ') : 'none yet'}</p>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
