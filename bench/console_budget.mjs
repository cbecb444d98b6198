// The console's budgets (issue 19), measured in Debian's Chromium against the demo terminal:
//   - JavaScript shipped for the first screen (the login), compressed (gzip -9 and brotli);
//   - first screen usable: navigation start to the login form ready, and (logged in) to the
//     yard map of the 30,000-TEU demo yard drawn; against the reference of the same browser
//     loading a tiny JSON document (/api/v1/health) over the same TLS listener;
//   - the yard map's drawing time (the canvas's own measurement, data-draw-ms), 20 draws.
// Prints one line per figure and a JSON summary.
//
//   node bench/console_budget.mjs [--runs 5]      (MINATO_BIN, else build/minato)
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { startWorld } from '../console/e2e/harness.mjs';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 5) || 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const world = await startWorld();
const out = {};
try {
  // 1. What the login screen loads.
  const page = await world.page();
  const scripts = new Map();
  page.on('response', async (r) => {
    if (r.request().resourceType() === 'script') scripts.set(r.url(), await r.body());
  });
  await page.goto(`${world.origin}/login`);
  await page.locator('input[name=username]').waitFor();
  await page.waitForLoadState('networkidle');
  let raw = 0, gz = 0, br = 0;
  for (const body of scripts.values()) {
    raw += body.length;
    gz += gzipSync(body, { level: 9 }).length;
    br += brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  }
  out.first_screen_js = { files: scripts.size, raw_bytes: raw, gzip_bytes: gz, brotli_bytes: br };
  console.log(`first screen JavaScript: ${scripts.size} files, ${raw} B raw, ${gz} B gzip, ${br} B brotli (budget 150 KB compressed)`);

  // 2. Time to a usable screen, fresh page each run (cold in-memory cache, warm server).
  const timings = { reference_json: [], login_ready: [], yard_drawn: [] };
  const fresh = async () => (await world.browser.newContext({ locale: 'en-GB' })).newPage();
  for (let i = 0; i < runs; ++i) {
    const ref = await fresh();
    await ref.goto(`${world.origin}/api/v1/health`);
    timings.reference_json.push(await ref.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd));
    await ref.context().close();

    const login = await fresh();
    await login.goto(`${world.origin}/login`);
    await login.locator('input[name=username]').waitFor();
    timings.login_ready.push(await login.evaluate(() => performance.now()));
    await login.context().close();
  }
  // Logged in: the yard map, from navigation start to its first drawing.
  const user = await world.page();
  await world.login(user, 'operator');
  for (let i = 0; i < runs; ++i) {
    await user.goto(`${world.origin}/yard`);
    await user.waitForFunction(() => document.querySelector('canvas')?.dataset.drawMs !== undefined);
    timings.yard_drawn.push(await user.evaluate(() => performance.now()));
  }
  for (const [k, v] of Object.entries(timings)) {
    out[k] = { median_ms: +median(v).toFixed(1), max_ms: +Math.max(...v).toFixed(1), runs: v.length };
    console.log(`${k}: median ${median(v).toFixed(1)} ms, max ${Math.max(...v).toFixed(1)} ms over ${v.length} runs`);
  }

  // 3. Drawing the whole yard: the canvas's own timing over 20 draws (mode switches).
  const draws = [];
  const modes = ['height', 'reefer', 'dangerous', 'holds'];
  for (let i = 0; i < 20; ++i) {
    await user.locator(`input[name=mode][value=${modes[i % 4]}]`).check();
    draws.push(Number(await user.locator('canvas').getAttribute('data-draw-ms')));
  }
  const stacks = await user.evaluate(async () => {
    const m = await (await fetch('/api/v1/yard/map')).json();
    return m.blocks.reduce((n, b) => n + b.stacks.length, 0);
  });
  out.yard_draw = { stacks, median_ms: +median(draws).toFixed(2), max_ms: +Math.max(...draws).toFixed(2) };
  console.log(`yard map draw (${stacks} stacks): median ${median(draws).toFixed(2)} ms, max ${Math.max(...draws).toFixed(2)} ms (budget 100 ms)`);
} finally {
  await world.stop();
}
console.log(JSON.stringify(out));
