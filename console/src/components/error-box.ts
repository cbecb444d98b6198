// An error shown where it happened: role="alert" so a screen reader says it at once; the
// field's label when the API named one; the API's own sentence underneath.
import { html, nothing, type TemplateResult } from 'lit';
import { errorText } from '../lib/page';
import { t } from '../lib/i18n';

export function errorBox(error: unknown, testId = 'error'): TemplateResult | typeof nothing {
  if (error === null || error === undefined) return nothing;
  const e = errorText(error);
  return html`<div class="error" role="alert" data-testid=${testId}>
    <strong>${e.title}</strong>
    ${e.field ? html`<div>${t('errors.field', { field: e.field })}</div>` : nothing}
    ${e.detail ? html`<div class="detail" lang="en">${e.detail}</div>` : nothing}
  </div>`;
}
