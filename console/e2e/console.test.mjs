// The console end to end, in Debian's Chromium against a real `minato serve` of the demo
// terminal (harness.mjs). One world for the whole run; each test opens its own browser
// contexts. After every test: no console error, no uncaught error, no CSP violation.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { axeViolations, startWorld } from './harness.mjs';

let world;

before(async () => {
  world = await startWorld({
    users: [
      ['gatekeeper', 'gate_clerk', 'planner'],
      ['keyholder', 'viewer'],
      ['locky', 'viewer'],
      ['linguist', 'viewer'],
    ],
  });
});

after(async () => {
  await world?.stop();
});

afterEach(() => {
  const problems = world.problems.splice(0);
  assert.deepEqual(problems, [], 'the pages logged errors or broke the CSP');
});

async function noCsp(page) {
  assert.deepEqual(await world.cspViolations(page), []);
}

describe('the console is served safely', () => {
  test('index.html is never cached, assets are content-hashed and cached for a year', async () => {
    const page = await world.page();
    const res = await page.goto(`${world.origin}/`);
    const h = res.headers();
    assert.equal(h['cache-control'], 'no-store');
    assert.match(h['content-security-policy'], /script-src 'self';/);
    assert.match(h['content-security-policy'], /require-trusted-types-for 'script'/);
    assert.doesNotMatch(h['content-security-policy'], /unsafe-(inline|eval)/);
    const html = await res.text();
    const js = /src="(\/assets\/main-[A-Z0-9]+\.js)"/.exec(html);
    assert.ok(js, 'index.html names a content-hashed script');
    // Fetched by the page itself (the browser trusts the server's certificate).
    const head = (url) =>
      page.evaluate(async (u) => {
        const r = await fetch(u, { cache: 'no-store' });
        return { status: r.status, cache: r.headers.get('cache-control'), type: r.headers.get('content-type') };
      }, url);
    const asset = await head(js[1]);
    assert.equal(asset.status, 200);
    assert.equal(asset.cache, 'public, max-age=31536000, immutable');
    assert.match(asset.type, /^text\/javascript/);
    assert.equal((await head('/assets/main-NOPE.js')).status, 404);
    // (Chromium logs that deliberate 404; it is not the page's fault.)
    await page.waitForTimeout(100);
    const keep = world.problems.filter((p) => !p.includes('/assets/main-NOPE.js'));
    world.problems.splice(0, world.problems.length, ...keep);
    await noCsp(page);
  });
});

describe('sign-in', () => {
  test('G2_1_1_b login with password and TOTP, then the home screen; logout', async () => {
    const page = await world.page();
    await world.login(page, 'operator');
    await page.getByTestId('occupancy').waitFor();
    assert.match(await page.getByTestId('occupancy').innerText(), /TEU/);
    await world.screenshot(page, 'home-en');
    assert.deepEqual(await axeViolations(page), []);
    await page.getByTestId('logout').click();
    await page.getByTestId('notice').waitFor();
    assert.match(page.url(), /\/login$/);
    await noCsp(page);
  });

  test('G2_1_1_e lockout after five failures is shown to the user', async () => {
    const page = await world.page();
    await page.goto(`${world.origin}/login`);
    assert.deepEqual(await axeViolations(page), []);
    await world.screenshot(page, 'login-en');
    for (let i = 0; i < 5; ++i) {
      await page.getByLabel('User name', { exact: true }).fill('locky');
      await page.getByLabel('Password', { exact: true }).fill('Wrong#Password1');
      await page.getByLabel('6-digit code', { exact: true }).fill('123456');
      await page.getByRole('button', { name: 'Log in' }).click();
      const problem = page.getByTestId('login-problem');
      await problem.waitFor();
      assert.match(await problem.innerText(), /Login failed/);
      assert.match(await problem.innerText(), /After 5 failed attempts/);
    }
    // The owner, with the right password and code, is told plainly that the account is locked.
    await page.getByLabel('User name', { exact: true }).fill('locky');
    await page.getByLabel('Password', { exact: true }).fill(world.accounts.locky.password);
    await page.getByLabel('6-digit code', { exact: true }).fill(await world.code('locky'));
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByTestId('login-problem').getByText(/is locked after repeated failed logins until/).waitFor();
    await noCsp(page);
  });

  test('the Japanese and English switch, chosen from the browser and kept', async () => {
    const page = await world.page({ locale: 'ja-JP' });
    await page.goto(`${world.origin}/login`);
    await page.getByRole('heading', { name: 'ログイン' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ja');
    await world.screenshot(page, 'login-ja');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.getByRole('button', { name: '日本語' }).click();
    await world.login(page, 'linguist');
    await page.getByRole('heading', { name: 'ホーム' }).waitFor();
    await world.screenshot(page, 'home-ja');
    await noCsp(page);
  });
});
