// What every screen shares: light DOM (one style sheet for the whole console, and nothing the
// CSP or Trusted Types must make an exception for), a new render when the language changes,
// and the text of an error in the user's language.
import { LitElement } from 'lit';
import { ApiError } from './api';
import { has, t } from './i18n';
import { onLive } from './live';

export class Page extends LitElement {
  private readonly onLang = () => this.requestUpdate();

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('minato:lang', this.onLang);
  }

  override disconnectedCallback(): void {
    window.removeEventListener('minato:lang', this.onLang);
    super.disconnectedCallback();
  }
}

// A screen that shows what the server holds and follows the live view: load() when it is
// shown, and again at each event of its topics (the event only says that something changed;
// load() asks the API, which checks permissions as always).
export abstract class LivePage extends Page {
  protected abstract readonly topics: string[];
  protected abstract load(): Promise<void>;
  private stopLive: (() => void) | null = null;
  // The failure of each part of the screen, by name (shown beside that part).
  protected errors: Record<string, unknown> = {};

  // Loads one part of the screen: `apply` its answer, or keep its failure under `name`.
  protected async loadPart<T>(name: string, fn: () => Promise<T>, apply: (v: T) => void): Promise<void> {
    try {
      apply(await fn());
      this.errors = { ...this.errors, [name]: null };
    } catch (e) {
      this.errors = { ...this.errors, [name]: e };
    }
  }

  // What the last command said, for the screen to show.
  protected message = '';

  // Runs a command: on success says `done` and resets `form`, on failure keeps the error under
  // `section`; then reloads the screen. Returns whether the command succeeded.
  protected async act(section: string, fn: () => Promise<unknown>, done: string, form?: HTMLFormElement): Promise<boolean> {
    this.message = '';
    let succeeded = false;
    try {
      await fn();
      this.message = done;
      this.errors = { ...this.errors, [section]: null };
      form?.reset();
      succeeded = true;
    } catch (e) {
      this.errors = { ...this.errors, [section]: e };
    }
    await this.load();
    return succeeded;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    this.stopLive = onLive(this.topics, () => void this.load());
  }

  override disconnectedCallback(): void {
    this.stopLive?.();
    this.stopLive = null;
    super.disconnectedCallback();
  }
}

export interface ErrorText {
  title: string; // what went wrong, in the user's language
  field: string; // the field it names (its label), or ''
  detail: string; // the server's own sentence (English), as sent
}

// An error as the user reads it: a sentence per error code in the user's language, the field
// it names by that field's label, and the API's sentence as detail.
export function errorText(e: unknown): ErrorText {
  if (e instanceof ApiError) {
    const specific = `errors.${e.code}.${e.field ?? ''}`;
    const title = has(specific) ? t(specific) : has(`errors.${e.code}`) ? t(`errors.${e.code}`) : t('errors.unknown');
    const field = e.field ? (has(`fields.${e.field}`) ? t(`fields.${e.field}`) : e.field) : '';
    return { title, field, detail: e.message };
  }
  return { title: t('errors.unknown'), field: '', detail: e instanceof Error ? e.message : String(e) };
}
