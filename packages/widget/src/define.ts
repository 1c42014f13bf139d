/**
 * Side-effect entry: registers `<rtvoice-widget>` when imported.
 * `import '@rtvoice/widget/define';`
 */
import { defineRtvoiceWidget } from './define-widget.js';

defineRtvoiceWidget();
