// Builds the console: type check (tsc --noEmit), the message catalogues' keys compared, then
// one esbuild bundle with content-hashed names (assets/NAME-HASH.js|css) and an index.html
// that names them. Output: --out DIR (emptied first); --stamp FILE is touched when done (the
// build system's marker). Nothing here fetches anything.
//
//   node build.mjs --out ../build/release/console/dist --stamp ../build/release/console/build.stamp
//       [--components ../build/release/console/components.json]   (the bundled npm packages)
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareCatalogues } from './catalogue-check.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const out = path.resolve(arg('--out', path.join(here, 'dist')));
const stamp = arg('--stamp', '');
const componentsOut = arg('--components', '');

function fail(message) {
  console.error(`console build: ${message}`);
  process.exit(1);
}

// 1. Types: the native TypeScript compiler, no output.
try {
  execFileSync(path.join(here, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', here], {
    stdio: 'inherit',
  });
} catch {
  fail('type check failed (tsc --noEmit)');
}

// 2. The catalogues: every key in both languages.
const problems = compareCatalogues(path.join(here, 'src', 'i18n'));
if (problems.length > 0) fail(problems.join('\n'));

// 3. The bundle.
rmSync(out, { recursive: true, force: true });
mkdirSync(path.join(out, 'assets'), { recursive: true });
const result = await esbuild.build({
  absWorkingDir: here,
  entryPoints: { main: 'src/main.ts' },
  bundle: true,
  format: 'esm',
  splitting: true,
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  target: ['chrome120', 'firefox121', 'safari17'],
  outdir: path.join(out, 'assets'),
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
  // lit's development build warns in the console; the production one does not.
  conditions: ['production'],
  define: { 'process.env.NODE_ENV': '"production"' },
});
if (result.errors.length > 0) fail('esbuild failed');

let js = '';
let css = '';
let mainMeta = null;
for (const [file, meta] of Object.entries(result.metafile.outputs)) {
  const name = path.basename(file);
  if (meta.entryPoint === 'src/main.ts' && name.endsWith('.js')) {
    js = name;
    mainMeta = meta;
  }
  if (name.startsWith('main-') && name.endsWith('.css')) css = name;
}
if (!js || !css) fail('the bundle has no main script or style sheet');
// The chunks the entry imports statically (and theirs) are announced in the page, so the
// browser fetches them at once instead of one round trip after another.
const preload = new Set();
const visit = (meta) => {
  for (const imp of meta.imports ?? []) {
    if (imp.kind !== 'import-statement' || preload.has(imp.path)) continue;
    preload.add(imp.path);
    visit(result.metafile.outputs[imp.path] ?? {});
  }
};
visit(mainMeta);
const preloadTags = [...preload]
  .map((p) => `<link rel="modulepreload" href="/assets/${path.basename(p)}">`)
  .join('\n    ');

// 4. The page: no inline script or style (the CSP forbids both).
const template = readFileSync(path.join(here, 'src', 'index.html'), 'utf8');
const html = template
  .replaceAll('%MAIN_JS%', `/assets/${js}`)
  .replaceAll('%MAIN_CSS%', `/assets/${css}`)
  .replace('%PRELOAD%', preloadTags);
if (/<script(?![^>]*\bsrc=)/.test(html) || /<style|\sstyle=/.test(html)) {
  fail('index.html must not hold inline script or style');
}
writeFileSync(path.join(out, 'index.html'), html);

// 5. The screens' paths (lib/router.ts): the server answers these, and paths under them, with
// index.html, and nothing else (a scanner's /metrics or /admin.php is a 404, not the console).
const router = readFileSync(path.join(here, 'src', 'lib', 'router.ts'), 'utf8');
const paths = [...router.matchAll(/\bpath: '(\/[a-z0-9-]*)'/g)].map((m) => m[1]);
if (!paths.includes('/') || paths.length < 2) fail('no screen paths found in src/lib/router.ts');
// The built files are served under /assets/: a screen there would answer for missing files.
for (const p of paths) {
  if (p === '/assets' || p.startsWith('/assets/')) fail(`screen path ${p} collides with the built files under /assets/`);
}
writeFileSync(path.join(out, 'routes.txt'), `${paths.sort().join('\n')}\n`);

// 6. What the page loads first, for bench/console_budget.mjs.
writeFileSync(
  path.join(out, 'manifest.json'),
  JSON.stringify({ main: `/assets/${js}`, css: `/assets/${css}` }, null, 1),
);
// 7. The npm packages bundled into the page (not the build tools), for Minato's SBOM
// (minato sbom): written outside the served files, embedded by cmake/embed_console.cmake.
const bundled = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) continue;
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  const name = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  if (bundled.has(name)) continue;
  const meta = JSON.parse(
    readFileSync(path.join(here, input.slice(0, at), 'node_modules', name, 'package.json'), 'utf8'),
  );
  bundled.set(name, { name, version: meta.version, license: meta.license ?? '' });
}
if (bundled.size === 0) fail('no npm package found in the bundle (lit is expected)');
if (componentsOut) {
  mkdirSync(path.dirname(path.resolve(componentsOut)), { recursive: true });
  const list = [...bundled.values()].sort((a, b) => a.name.localeCompare(b.name));
  writeFileSync(componentsOut, `${JSON.stringify(list)}\n`);
}
if (stamp) {
  mkdirSync(path.dirname(path.resolve(stamp)), { recursive: true });
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
}
console.log(`console build: ${js}, ${css} -> ${out}`);
