// The message catalogues: every key in both Japanese and English (with the same
// placeholders), and every key the code names literally present in them.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compareCatalogues } from '../catalogue-check.mjs';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');

test('ja.json and en.json hold the same keys and placeholders', () => {
  assert.deepEqual(compareCatalogues(path.join(src, 'i18n')), []);
});

test('the check finds a key missing from one catalogue', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(path.join(tmpdir(), 'catalogues-'));
  writeFileSync(path.join(dir, 'en.json'), JSON.stringify({ a: { b: 'B', c: 'C {n}' } }));
  writeFileSync(path.join(dir, 'ja.json'), JSON.stringify({ a: { b: 'ビー', c: 'シー' } , d: 'x' }));
  const problems = compareCatalogues(dir);
  assert.ok(problems.some((p) => p.includes('d is in ja.json but not in en.json')), problems.join('\n'));
  assert.ok(problems.some((p) => p.includes('a.c: placeholders differ')), problems.join('\n'));
});

function sources(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('every message key named in the code is in the catalogue', () => {
  const en = JSON.parse(readFileSync(path.join(src, 'i18n', 'en.json'), 'utf8'));
  const lookup = (key) => key.split('.').reduce((n, k) => (n && typeof n === 'object' ? n[k] : undefined), en);
  const missing = [];
  for (const file of sources(src)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:\bt\(|setNotice\(|title: |problem = )'([a-z_]+(?:\.[a-z_]+)+)'/g)) {
      if (typeof lookup(m[1]) !== 'string') missing.push(`${path.relative(src, file)}: ${m[1]}`);
    }
  }
  assert.deepEqual(missing, []);
});
