// The message catalogues (src/i18n/*.json) must hold the same keys, each a non-empty string:
// a key in one language and not the other is an untranslated screen. Used by build.mjs (the
// build fails) and by e2e/catalogues.test.mjs.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

function flatten(prefix, value, out) {
  if (typeof value === 'string') {
    out.set(prefix, value);
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    out.set(prefix, null);
    return;
  }
  for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, out);
}

// Returns a list of problems (empty when the catalogues agree).
export function compareCatalogues(dir) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  if (files.length < 2) return [`${dir}: expected ja.json and en.json`];
  const catalogues = new Map();
  const problems = [];
  for (const f of files) {
    const keys = new Map();
    try {
      flatten('', JSON.parse(readFileSync(path.join(dir, f), 'utf8')), keys);
    } catch (e) {
      problems.push(`${f}: ${e.message}`);
      continue;
    }
    for (const [k, v] of keys) {
      if (typeof v !== 'string' || v.trim() === '') problems.push(`${f}: ${k} is not a non-empty string`);
    }
    catalogues.set(f, keys);
  }
  const names = [...catalogues.keys()];
  for (const a of names) {
    for (const b of names) {
      if (a === b) continue;
      for (const k of catalogues.get(a).keys()) {
        if (!catalogues.get(b).has(k)) problems.push(`${k} is in ${a} but not in ${b}`);
      }
    }
  }
  // Placeholders ({name}) must match too: a translation that drops one loses information.
  const [first, ...rest] = names;
  for (const other of rest) {
    for (const [k, v] of catalogues.get(first)) {
      const w = catalogues.get(other).get(k);
      if (typeof v !== 'string' || typeof w !== 'string') continue;
      const ph = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
      if (ph(v) !== ph(w)) problems.push(`${k}: placeholders differ between ${first} and ${other}`);
    }
  }
  return problems;
}
