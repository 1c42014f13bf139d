import type { RtvoiceWidgetElement, RtvoiceWidgetEventMap } from '@rtvoice/widget';
import type { DetailedHTMLProps, HTMLAttributes } from 'react';

type Handler<K extends keyof RtvoiceWidgetEventMap> = (event: RtvoiceWidgetEventMap[K]) => void;

/** JSX typing for the element: React 19 sets `options` as a property and wires `on<event-name>` as listeners. */
declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'rtvoice-widget': DetailedHTMLProps<HTMLAttributes<RtvoiceWidgetElement>, RtvoiceWidgetElement> & {
        'token-url'?: string;
        'push-to-talk'?: boolean;
        transcript?: boolean;
        'text-input'?: boolean;
        position?: 'inline' | 'bottom-right' | 'bottom-left';
        theme?: 'light' | 'dark' | 'auto';
        debug?: boolean;
        options?: RtvoiceWidgetElement['options'];
        'onrtvoice-state'?: Handler<'rtvoice-state'>;
        'onrtvoice-tool'?: Handler<'rtvoice-tool'>;
        'onrtvoice-error'?: Handler<'rtvoice-error'>;
        'onrtvoice-transcript'?: Handler<'rtvoice-transcript'>;
      };
    }
  }
}
