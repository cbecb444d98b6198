// Backups (G2.7.2), for backup operators and security staff: each target's newest set, its
// age against its schedule (overdue at half again, when security staff are alerted), whether
// a vault has pulled it off this host (G2.7.2-d: a set only in the server's outbox is not yet
// safe from ransomware on the server), and the restore drills recorded (G2.7.2-f). A backup
// operator can write a set now. Drills run where the sets are kept, on the vault's host
// (`minato backup drill`): they need the recovery passphrase, which this server never holds.
import { html, nothing } from 'lit';
import { api } from '../lib/api';
import { formatNumber, formatTime, t } from '../lib/i18n';
import { LivePage } from '../lib/page';
import { can } from '../lib/session';
import { errorBox } from '../components/error-box';

interface TargetStatus {
  target: string;
  every_minutes: number;
  newest: string | null;
  newest_at: string | null;
  age_s: number | null;
  overdue: boolean;
  sets: number;
  stored_bytes: number;
  pulled_by_vault: string | null;
}
interface Drill {
  seq: number;
  at: string;
  by: string;
  passed: boolean;
  record: {
    seconds?: number;
    from?: string;
    units_in_yard?: number;
    audit_size?: number;
    database_set?: string;
    error?: string;
  } | string | null;
}

function megabytes(bytes: number): string {
  if (bytes < 1_048_576) return t('backups.kb', { n: formatNumber(Math.ceil(bytes / 1024)) });
  return t('backups.mb', { n: formatNumber(Math.round((bytes / 1_048_576) * 10) / 10) });
}

function age(seconds: number | null): string {
  if (seconds === null) return t('backups.no_set');
  if (seconds < 3600) return t('backups.minutes', { n: formatNumber(Math.floor(seconds / 60)) });
  return t('backups.hours', { n: formatNumber(Math.round((seconds / 3600) * 10) / 10) });
}

export class BackupsPage extends LivePage {
  // An overdue or failed backup raises an alert: the table follows it.
  protected readonly topics = ['alerts'];
  private configured = true;
  private targets: TargetStatus[] = [];
  private drills: Drill[] = [];
  private busy = '';

  protected async load(): Promise<void> {
    await Promise.all([
      this.loadPart('status', () => api.get<{ configured: boolean; targets: TargetStatus[] }>('/api/v1/backups'), (s) => {
        this.configured = s.configured;
        this.targets = s.targets;
      }),
      this.loadPart('drills', () => api.get<{ drills: Drill[] }>('/api/v1/backups/drills'), (v) => (this.drills = v.drills)),
    ]);
    this.requestUpdate();
  }

  private async backUp(target: string): Promise<void> {
    if (this.busy) return;
    this.busy = target;
    this.message = '';
    this.errors = { ...this.errors, create: null };
    this.requestUpdate();
    try {
      const r = await api.post<{ set: string; stored_bytes: number }>('/api/v1/backups', { target });
      this.message = t('backups.written', { set: r.set, size: megabytes(r.stored_bytes) });
    } catch (e) {
      this.errors = { ...this.errors, create: e };
    }
    this.busy = '';
    await this.load();
  }

  private drillDetail(d: Drill): string {
    const r = d.record;
    if (!r || typeof r === 'string') return r ?? '';
    if (!d.passed) return r.error ?? '';
    return t('backups.drill_detail', {
      seconds: formatNumber(Math.round((r.seconds ?? 0) * 10) / 10),
      units: formatNumber(r.units_in_yard ?? 0),
      events: formatNumber(r.audit_size ?? 0),
      set: r.database_set ?? '—',
      from: r.from ?? '—',
    });
  }

  override render() {
    const run = can('backup.run');
    return html`
      <h1>${t('backups.title')}</h1>
      ${this.message ? html`<p class="notice" role="status" data-testid="backups-message">${this.message}</p>` : nothing}
      ${this.configured ? nothing : html`<p class="problem" role="alert" data-testid="not-configured">${t('backups.not_configured')}</p>`}
      <section class="card" aria-labelledby="targets-title">
        <h2 id="targets-title">${t('backups.targets')}</h2>
        ${errorBox(this.errors.status, 'backups-error')}
        ${errorBox(this.errors.create, 'create-error')}
        <table data-testid="backup-targets">
          <thead><tr><th>${t('backups.target')}</th><th>${t('backups.every')}</th><th>${t('backups.newest')}</th>
            <th>${t('backups.age')}</th><th>${t('backups.vault')}</th><th>${t('backups.sets')}</th>
            ${run ? html`<th>${t('users.actions')}</th>` : nothing}</tr></thead>
          <tbody>${this.targets.map(
            (s) => html`<tr class=${s.overdue ? 'bad' : ''} data-target=${s.target}>
              <td>${t(`backups.kind.${s.target}`)}</td>
              <td>${t('backups.minutes', { n: formatNumber(s.every_minutes) })}</td>
              <td>${s.newest ? html`<code>${s.newest}</code><br><span class="hint">${formatTime(s.newest_at, true)}</span>` : '—'}</td>
              <td>${age(s.age_s)}${s.overdue ? html` <strong data-testid="overdue">${t('backups.overdue')}</strong>` : nothing}</td>
              <td>${s.pulled_by_vault ? formatTime(s.pulled_by_vault, true) : html`<span class="hint">${t('backups.not_pulled')}</span>`}</td>
              <td>${formatNumber(s.sets)} (${megabytes(s.stored_bytes)})</td>
              ${run
                ? html`<td><button type="button" ?disabled=${!!this.busy} @click=${() => void this.backUp(s.target)}
                    aria-label=${this.busy === s.target ? nothing : t('backups.now_target', { target: t(`backups.kind.${s.target}`) })}>
                    ${this.busy === s.target ? t('backups.writing') : t('backups.now')}</button></td>`
                : nothing}
            </tr>`,
          )}</tbody>
        </table>
      </section>
      <section class="card" aria-labelledby="drills-title">
        <h2 id="drills-title">${t('backups.drills')}</h2>
        <p class="hint">${t('backups.drills_hint')}</p>
        ${errorBox(this.errors.drills, 'drills-error')}
        ${this.drills.length === 0
          ? html`<p data-testid="no-drills">${t('backups.no_drills')}</p>`
          : html`<table data-testid="drills">
              <thead><tr><th>${t('audit.when')}</th><th>${t('backups.by')}</th><th>${t('backups.outcome')}</th><th>${t('backups.detail')}</th></tr></thead>
              <tbody>${this.drills.map(
                (d) => html`<tr class=${d.passed ? '' : 'bad'}><td>${formatTime(d.at)}</td><td>${d.by}</td>
                  <td>${d.passed ? t('backups.passed') : t('backups.failed')}</td><td>${this.drillDetail(d)}</td></tr>`,
              )}</tbody>
            </table>`}
      </section>
    `;
  }
}

customElements.define('page-backups', BackupsPage);
