// The end-to-end tests' world: a real `minato demo` terminal on loopback (its own data
// directory, free ports), extra users made with the CLI, and Debian's Chromium driven by
// playwright-core (never a downloaded browser). Every page is watched: a console error, an
// uncaught exception or promise rejection, or a Content-Security-Policy violation fails the
// test that caused it (see watch()).
//
//   const world = await startWorld();          // minato + chromium
//   const page = await world.page();           // a fresh browser context
//   await world.login(page, 'operator');       // password + TOTP computed here
//   await world.stop();
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHmac, X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const MINATO = process.env.MINATO_BIN ?? path.resolve(here, '../../build/minato');
export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
export const SCREENSHOTS =
  process.env.SCREENSHOT_DIR ?? path.resolve(here, '../../build/console-screenshots');
export const USER_PASSWORD = 'Hx4$wLm8@pZ3-quay';

// RFC 6238 TOTP (SHA-1, 30 s, 6 digits) of a base32 secret at `step`.
export function totpAt(secret, step) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/=+$/, '').toUpperCase()) {
    bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  }
  const key = Buffer.alloc(Math.floor(bits.length / 8));
  for (let i = 0; i < key.length; ++i) key[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', key).update(counter).digest();
  const o = h[h.length - 1] & 15;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

// The SPKI pin Chromium is told to trust, so that the server's self-signed certificate (for
// localhost) makes a secure context, as WebAuthn requires, without an interstitial.
function spkiPin(certPath) {
  const cert = new X509Certificate(readFileSync(certPath));
  const der = cert.publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

export function run(args, input) {
  const r = spawnSync(MINATO, args, { encoding: 'utf8', input });
  if (r.status !== 0) throw new Error(`minato ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

// Starts `args` and resolves with the port of "listening on https://127.0.0.1:PORT".
function serve(args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(MINATO, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let out = '';
    const timer = setTimeout(() => reject(new Error(`minato did not start:\n${err}`)), 120_000);
    proc.stdout.on('data', (d) => {
      out += d;
    });
    proc.stderr.on('data', (d) => {
      err += d;
      const m = /listening on https:\/\/127\.0\.0\.1:(\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, port: Number(m[1]), stdout: () => out, stderr: () => err });
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`minato exited (${code}):\n${err}`));
    });
  });
}

function stopProcess(proc) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null) return resolve(proc.exitCode);
    proc.removeAllListeners('exit');
    proc.on('exit', (code) => resolve(code));
    proc.kill('SIGTERM');
  });
}

// Everything the page did wrong: console errors, uncaught errors, CSP violations.
function watch(page, problems) {
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // Chromium logs every 4xx answer of a fetch as an error. The API's refusals (a wrong
    // password, a hold) are answers the console shows to the user, not faults of the page.
    const url = m.location()?.url ?? '';
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text()) &&
        new URL(url, 'https://x').pathname.startsWith('/api/v1/')) {
      return;
    }
    problems.push(`console error: ${m.text()} (${url})`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('crash', () => problems.push('the page crashed'));
}

// Replaces `key = value` lines of DATA/minato.toml (the keys must be there).
function setConfig(data, values) {
  const file = path.join(data, 'minato.toml');
  let text = readFileSync(file, 'utf8');
  for (const [key, value] of Object.entries(values)) {
    const re = new RegExp(`^${key} = .*$`, 'm');
    if (!re.test(text)) throw new Error(`minato.toml has no ${key}`);
    text = text.replace(re, `${key} = ${value}`);
  }
  writeFileSync(file, text);
}

// A clamd of the tests' own (Debian's clamav-daemon) on its own socket, with one local
// signature (the EICAR test string) and no downloaded database.
const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
async function startClamd(root) {
  const dir = path.join(root, 'clamd');
  mkdirSync(path.join(dir, 'db'), { recursive: true });
  writeFileSync(path.join(dir, 'db', 'minato-test.ndb'),
    `Minato.Test.EICAR:0:*:${Buffer.from(EICAR).toString('hex')}\n`);
  const socket = path.join(dir, 'clamd.sock');
  writeFileSync(path.join(dir, 'clamd.conf'),
    `Foreground yes\nLocalSocket ${socket}\nDatabaseDirectory ${dir}/db\nLogFile ${dir}/clamd.log\n` +
    `PidFile ${dir}/clamd.pid\nStreamMaxLength 8M\n`);
  const proc = spawn('/usr/sbin/clamd', ['-c', path.join(dir, 'clamd.conf')], { stdio: 'ignore' });
  const { connect } = await import('node:net');
  for (let i = 0; i < 600; ++i) {
    const ok = await new Promise((resolve) => {
      const c = connect(socket, () => c.write('zVERSION\0'));
      c.on('data', (d) => { c.destroy(); resolve(d.toString().startsWith('ClamAV')); });
      c.on('error', () => resolve(false));
    });
    if (ok) return { proc, address: `unix:${socket}` };
    if (proc.exitCode !== null) throw new Error(`clamd exited: ${readFileSync(`${dir}/clamd.log`, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('clamd did not start');
}

// The recovery passphrases of `backups: true` worlds (as an operator would keep them).
export const BACKUP_PASSPHRASES = {
  data: 'tq8 Harbour wL3 reefer 9xk gantry pz',
  keys: 'Mv2 lashing Qe7 twistlock 4rn spreader',
};

// What every e2e file does around its tests: after each one, no page logged an error, threw,
// or broke the CSP; at the end, the world stops. `getWorld` gives the file's world.
export function checkEveryTest(getWorld) {
  after(async () => {
    await getWorld()?.stop();
  });
  afterEach(async () => {
    const world = getWorld();
    await world.closePages();
    const problems = world.problems.splice(0);
    assert.deepEqual(problems, [], 'the pages logged errors or broke the CSP');
  });
}

// No CSP violation on `page` so far.
export async function noCsp(world, page) {
  assert.deepEqual(await world.cspViolations(page), []);
}

export async function startWorld({ users = [], enrol = [], clamd = false, backups = false, config = {} } = {}) {
  const root = mkdtempSync(path.join(tmpdir(), 'minato-e2e-'));
  const data = path.join(root, 'demo');
  // 1. The demo terminal (its credentials as JSON), not served yet: until its first start the
  // terminal is being set up, and minato.toml may be edited freely (configuration control).
  const demo = run([
    'demo', '--data', data, '--listen', '127.0.0.1:0', '--management-listen', '127.0.0.1:0', '--json',
    '--no-serve',
  ]);
  const creds = JSON.parse(demo.split('\n').find((l) => l.startsWith('{')));
  // 2. Extra users for tests that must not share one (lockout, enrolment...).
  const secrets = {};
  for (const [name, ...roles] of users) {
    const pw = path.join(root, `${name}.pw`);
    writeFileSync(pw, USER_PASSWORD);
    const args = ['user', 'add', '--data', data, '--username', name, '--password-file', pw, '--json'];
    // "scope=ONE" gives a client account its scope (a line's code, a haulier's).
    for (const r of roles) args.push(...(r.startsWith('scope=') ? ['--scope', r.slice(6)] : ['--role', r]));
    secrets[name] = { password: USER_PASSWORD, totp_secret: JSON.parse(run(args)).totp_secret };
  }
  // ... and accounts waiting for their owners' enrolment (the token of each link).
  const enrolment = {};
  for (const [name, ...roles] of enrol) {
    const args = ['user', 'add', '--data', data, '--username', name, '--enrol', '--json'];
    for (const r of roles) args.push('--role', r);
    enrolment[name] = JSON.parse(run(args)).enrolment_token;
  }
  // ... backups set up (`minato backup init`), when the tests need them ...
  const passphraseFiles = {};
  if (backups) {
    for (const [name, text] of Object.entries(BACKUP_PASSPHRASES)) {
      passphraseFiles[name] = path.join(root, `${name}.pass`);
      writeFileSync(passphraseFiles[name], `${text}\n`, { mode: 0o600 });
    }
    run(['backup', 'init', '--data', data, '--passphrase-file', passphraseFiles.data,
      '--keys-passphrase-file', passphraseFiles.keys]);
  }
  // ... and, for the media intake, a malware scanner.
  const scanner = clamd ? await startClamd(root) : null;
  if (scanner) {
    // The test database has no date: its age cannot be told, so warn instead of refusing.
    setConfig(data, { clamd: `"${scanner.address}"`, signature_age_action: '"warn"' });
  }
  // ... and what else the tests set in minato.toml (`key: 'toml value'`).
  if (Object.keys(config).length) setConfig(data, config);
  // 3. The server, as its minato.toml says (free ports).
  const server = await serve(['serve', '--data', data]);
  const origin = `https://localhost:${server.port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-default-apps', '--disable-features=Translate,MediaRouter,OptimizationHints',
      `--ignore-certificate-errors-spki-list=${spkiPin(path.join(data, 'tls', 'cert.pem'))}`,
    ],
  });
  const accounts = { ...creds.users, ...secrets };
  const lastStep = {};
  const contexts = [];
  mkdirSync(SCREENSHOTS, { recursive: true });

  const world = {
    root,
    data,
    origin,
    accounts,
    enrolment,
    passphraseFiles,
    port: server.port,
    browser,
    problems: [],
    minato: (args, input) => run(args, input),
    // A TOTP code of `user` that the server has not seen yet (it refuses a code twice): the
    // current step, else the next one, else wait for a new step.
    async code(user) {
      for (;;) {
        const now = Math.floor(Date.now() / 1000 / 30);
        const step = Math.max(now, (lastStep[user] ?? -1) + 1);
        if (step <= now + 1) {
          lastStep[user] = step;
          return totpAt(accounts[user].totp_secret, step);
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
    },
    // A new browser context (its own cookies) and page, in `locale`, watched for problems.
    async page({ locale = 'en-GB' } = {}) {
      const context = await browser.newContext({
        locale,
        timezoneId: 'Europe/London', // not the terminal's: times must still show in JST
        viewport: { width: 1366, height: 900 },
      });
      contexts.push(context);
      const page = await context.newPage();
      watch(page, world.problems);
      // CSP violations are reported to the page as events; collect them.
      await page.addInitScript(() => {
        window.__csp = [];
        document.addEventListener('securitypolicyviolation', (e) =>
          window.__csp.push(`${e.violatedDirective}: ${e.blockedURI}`),
        );
      });
      return page;
    },
    // An API call from inside a logged-in page (its cookie; its CSRF token for commands).
    async api(page, method, path, body) {
      return page.evaluate(
        async ([m, p, b]) => {
          const headers = { Accept: 'application/json' };
          if (m !== 'GET') {
            const s = await (await fetch('/api/v1/session')).json();
            headers['X-CSRF-Token'] = s.csrf_token;
            headers['Content-Type'] = 'application/json';
          }
          const r = await fetch(p, { method: m, headers, body: b === undefined ? undefined : JSON.stringify(b) });
          const text = await r.text();
          return { status: r.status, json: text ? JSON.parse(text) : null };
        },
        [method, path, body],
      );
    },
    async cspViolations(page) {
      return page.evaluate(() => window.__csp ?? []);
    },
    async login(page, user, { method = 'totp' } = {}) {
      await page.goto(`${origin}/login`);
      // By the inputs' names: the same in both languages.
      await page.locator('input[name=username]').fill(user);
      await page.locator('input[name=password]').fill(accounts[user].password);
      if (method === 'totp') {
        await page.locator('input[name=totp]').fill(await world.code(user));
      } else {
        await page.locator(`input[name=method][value=${method}]`).check();
      }
      await page.locator('form button[type=submit]').click();
      await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    },
    // Closes every browser context opened so far (each holds connections to the server,
    // which limits connections per source address).
    async closePages() {
      for (const c of contexts.splice(0)) await c.close().catch(() => {});
    },
    async screenshot(page, name) {
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false });
    },
    async stop() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close().catch(() => {});
      await stopProcess(server.proc);
      if (scanner) await stopProcess(scanner.proc);
      if (!process.env.KEEP_E2E_DATA) rmSync(root, { recursive: true, force: true });
    },
  };
  return world;
}

// axe-core's verdict on the page as it is: the serious and critical violations (WCAG 2.1 A/AA).
// axe runs through the DevTools protocol, which no page policy governs: the page's own CSP
// and Trusted Types stay as they are.
const axeSource = readFileSync(path.resolve(here, '../node_modules/axe-core/axe.min.js'), 'utf8');
export async function axeViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')}`);
}
