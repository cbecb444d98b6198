// Live feedback while a password is chosen, against the server's rule (GET
// /api/v1/password-policy): each part of the rule ticked as it is met, announced politely to
// screen readers. The server checks the rule again, with its dictionary of common passwords.
import { html, type TemplateResult } from 'lit';
import { api } from '../lib/api';
import { t } from '../lib/i18n';

export interface PasswordPolicy {
  min_length: number;
  max_length: number;
  require_classes: boolean;
  not_user_name: boolean;
  description: string;
}

let cached: Promise<PasswordPolicy> | null = null;

export function passwordPolicy(): Promise<PasswordPolicy> {
  cached ??= api.get<PasswordPolicy>('/api/v1/password-policy', { anonymous: true });
  return cached;
}

export function passwordChecks(
  policy: PasswordPolicy,
  password: string,
  confirm: string,
  username = '',
): { key: string; ok: boolean; params?: Record<string, number> }[] {
  const checks = [
    { key: 'password.rule.length', ok: [...password].length >= policy.min_length, params: { n: policy.min_length } },
  ];
  if (policy.require_classes) {
    checks.push(
      { key: 'password.rule.upper', ok: /\p{Lu}/u.test(password), params: { n: 0 } },
      { key: 'password.rule.lower', ok: /\p{Ll}/u.test(password), params: { n: 0 } },
      { key: 'password.rule.digit', ok: /\p{Nd}/u.test(password), params: { n: 0 } },
      { key: 'password.rule.symbol', ok: /[^\p{L}\p{Nd}\s]/u.test(password), params: { n: 0 } },
    );
  }
  if (policy.not_user_name && username) {
    checks.push({
      key: 'password.rule.user_name',
      ok: password.length > 0 && !password.toLowerCase().includes(username.toLowerCase()),
      params: { n: 0 },
    });
  }
  checks.push({ key: 'password.rule.match', ok: password.length > 0 && password === confirm, params: { n: 0 } });
  return checks;
}

export function passwordRules(
  policy: PasswordPolicy | null,
  password: string,
  confirm: string,
  username = '',
): TemplateResult {
  if (!policy) return html``;
  const checks = passwordChecks(policy, password, confirm, username);
  return html`<ul class="rules" aria-live="polite" data-testid="password-rules">
    ${checks.map(
      (c) => html`<li class=${c.ok ? 'ok' : 'todo'} data-ok=${c.ok}>
        <span aria-hidden="true">${c.ok ? '✓' : '•'}</span> ${t(c.key, c.params ?? {})}
        <span class="sr-only">${c.ok ? t('password.met') : t('password.not_met')}</span>
      </li>`,
    )}
    <li class="hint">${t('password.rule.common')}</li>
  </ul>`;
}
