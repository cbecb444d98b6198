// Messages, numbers and times in the user's language. The catalogues (i18n/ja.json,
// i18n/en.json) hold the same keys (the build and a test compare them); the language comes
// from the user's last choice, else the browser's languages (Japanese when any is Japanese),
// and can be switched at any time. Times are shown in the terminal's local time (its UTC
// offset, from the session), whatever the browser's time zone.
import en from '../i18n/en.json';
import ja from '../i18n/ja.json';

export type Lang = 'ja' | 'en';
type Catalogue = { [key: string]: string | Catalogue };
const catalogues: Record<Lang, Catalogue> = { ja, en };
const storageKey = 'minato.lang';

let lang: Lang = 'en';
let offsetMinutes = 9 * 60; // Japan, until the session says otherwise
let offsetText = '+09:00';

export function chooseLanguage(): Lang {
  const saved = localStorage.getItem(storageKey);
  if (saved === 'ja' || saved === 'en') return saved;
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const l of wanted) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'ja' || base === 'en') return base;
  }
  return 'en';
}

export function currentLang(): Lang {
  return lang;
}

export function setLang(l: Lang, remember = true): void {
  lang = l;
  if (remember) localStorage.setItem(storageKey, l);
  document.documentElement.lang = l;
  window.dispatchEvent(new CustomEvent('minato:lang', { detail: l }));
}

// The message `key` ("login.title") with {name} placeholders filled in.
export function t(key: string, params: Record<string, string | number> = {}): string {
  let node: string | Catalogue | undefined = catalogues[lang];
  for (const part of key.split('.')) {
    node = typeof node === 'object' ? node[part] : undefined;
  }
  if (typeof node !== 'string') return key;
  return node.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

// Whether the catalogue has `key` (for optional messages such as a field's label).
export function has(key: string): boolean {
  return t(key) !== key;
}

// "+09:00" -> 540 minutes; anything else leaves the offset as it was.
export function setTerminalOffset(text: string): void {
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(text);
  if (!m) return;
  offsetMinutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
  offsetText = text;
}

export function terminalOffset(): string {
  return offsetText;
}

// An ISO 8601 time from the API as the terminal's local date and time ("2026/12/07 14:03").
export function formatTime(iso: string | null | undefined, withSeconds = false): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const local = new Date(ms + offsetMinutes * 60_000);
  return new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', {
    timeZone: 'UTC',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    ...(withSeconds ? { second: '2-digit' } : {}),
    hour12: false,
  }).format(local);
}

// A time of day in the terminal's local time ("14:03").
export function formatClock(ms: number): string {
  const local = new Date(ms + offsetMinutes * 60_000);
  return new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', {
    timeZone: 'UTC',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(local);
}

// Numbers in the user's locale: the browser's own when it speaks the chosen language.
function numberLocale(): string {
  const own = navigator.language || '';
  return own.toLowerCase().startsWith(lang) ? own : lang === 'ja' ? 'ja-JP' : 'en-GB';
}

export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return new Intl.NumberFormat(numberLocale()).format(n);
}

export function formatWeight(kg: number | null | undefined): string {
  if (kg === null || kg === undefined || kg === 0) return '—';
  return new Intl.NumberFormat(numberLocale(), { style: 'unit', unit: 'kilogram' }).format(kg);
}

// A date and time typed in the terminal's local time ("2026-12-07T09:30", as a
// datetime-local input gives it) as the API's UTC form, or '' when it is not one.
export function terminalLocalToUtc(local: string): string {
  if (!local) return '';
  const ms = Date.parse(`${local}:00${offsetText}`);
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
