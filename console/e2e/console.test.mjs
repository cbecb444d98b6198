// The console end to end, in Debian's Chromium against a real `minato serve` of the demo
// terminal (harness.mjs). One world for the whole run; each test opens its own browser
// contexts. After every test: no console error, no uncaught error, no CSP violation.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { axeViolations, checkEveryTest, noCsp as noCspOn, startWorld } from './harness.mjs';

let world;

before(async () => {
  world = await startWorld({
    clamd: true,
    users: [
      ['gatekeeper', 'gate_clerk', 'planner'],
      ['keyholder', 'viewer'],
      ['locky', 'viewer'],
      ['linguist', 'viewer'],
      ['holder', 'planner'],
      ['lineapi', 'line_client', 'scope=ONE'],
    ],
    enrol: [['newbie', 'yard_clerk']],
  });
});

checkEveryTest(() => world);

const noCsp = (page) => noCspOn(world, page);

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

// An ISO 6346 container number: owner code + 'U' + 6-digit serial + its check digit.
function containerNumber(owner, serial) {
  const values = {};
  let v = 10;
  for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') {
    if (v % 11 === 0) v += 1;
    values[ch] = v++;
  }
  const first = `${owner}U${String(serial).padStart(6, '0')}`;
  let sum = 0;
  [...first].forEach((ch, i) => {
    sum += (/[0-9]/.test(ch) ? Number(ch) : values[ch]) * 2 ** i;
  });
  return first + ((sum % 11) % 10);
}

const XSS = '<script>window.__xss=1</script>"><img src=x onerror="window.__xss=1">';

describe('my account', () => {
  test('G2_1_1_d enrolment through the link: password rules live, TOTP by QR, first login', async () => {
    const page = await world.page();
    await page.goto(`${world.origin}/enrol#token=${world.enrolment.newbie}`);
    await page.getByRole('heading', { name: 'Set up your account' }).waitFor();
    // The token leaves the address bar at once.
    assert.doesNotMatch(page.url(), /token=/);
    const rules = page.getByTestId('password-rules');
    await page.getByLabel('New password', { exact: true }).fill('short');
    assert.equal(await rules.locator('li[data-ok=true]').count(), 1); // lower case only
    const submit = page.getByRole('button', { name: 'Set password' });
    assert.equal(await submit.isDisabled(), true);
    await page.getByLabel('New password', { exact: true }).fill(world.accounts.operator.password + '#Aa1');
    await page.getByLabel('New password again', { exact: true }).fill(world.accounts.operator.password + '#Aa1');
    assert.equal(await rules.locator('li[data-ok=false]').count(), 0);
    assert.deepEqual(await axeViolations(page), []);
    await world.screenshot(page, 'enrol-en');
    await submit.click();
    const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s/g, '');
    assert.match(secret, /^[A-Z2-7]{16,}$/);
    assert.equal(await page.locator('img.qr').count(), 1);
    world.accounts.newbie = { password: world.accounts.operator.password + '#Aa1', totp_secret: secret };
    await page.getByLabel('Code the app shows now').fill(await world.code('newbie'));
    await page.getByRole('button', { name: 'Check the code and log in' }).click();
    await page.waitForURL(/\/account\?welcome=1$/);
    assert.equal(await page.getByTestId('whoami').innerText(), 'newbie');
    // The link was for one use.
    const again = await world.page();
    await again.goto(`${world.origin}/enrol#token=${world.enrolment.newbie}`);
    await again.getByLabel('New password', { exact: true }).fill('Another#Passw0rd-x9');
    await again.getByLabel('New password again', { exact: true }).fill('Another#Passw0rd-x9');
    await again.getByRole('button', { name: 'Set password' }).click();
    await again.getByTestId('error').waitFor();
    await noCsp(page);
  });

  test('G2_1_1_b a security key is added in the account and then logs in (virtual authenticator)', async () => {
    const page = await world.page();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2', transport: 'usb', hasResidentKey: false,
        hasUserVerification: true, isUserVerified: true,
      },
    });
    await world.login(page, 'keyholder');
    await page.goto(`${world.origin}/account`);
    await page.getByRole('heading', { name: 'My account' }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await page.getByLabel('Name', { exact: true }).fill('Gate key <b>1</b>');
    await page.getByRole('button', { name: 'Add a security key or this device' }).click();
    await page.getByTestId('account-message').getByText('The security key has been added.').waitFor();
    await page.getByRole('cell', { name: 'Gate key <b>1</b>', exact: true }).waitFor();
    await world.screenshot(page, 'account-en');
    // Recovery codes: made anew and shown once.
    await page.getByRole('button', { name: 'Make new recovery codes' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    assert.equal(await page.getByTestId('recovery-codes').locator('li').count(), 10);
    await page.getByTestId('logout').click();
    await page.waitForURL(/\/login/);
    await world.login(page, 'keyholder', { method: 'webauthn' });
    await page.getByRole('heading', { name: 'Home' }).waitFor();
    const history = await world.api(page, 'GET', '/api/v1/session/history');
    assert.match(history.json.logins[0].detail, /WebAuthn|security key/i);
    // Renamed, so that a spare is told from this one before either is removed.
    await page.goto(`${world.origin}/account`);
    await page.getByRole('button', { name: 'Rename Gate key <b>1</b>' }).click();
    await page.getByLabel('New name').fill('Gate key, desk 2');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByTestId('account-message').getByText('The security key has been renamed.').waitFor();
    await page.getByRole('cell', { name: 'Gate key, desk 2', exact: true }).waitFor();
    await noCsp(page);
  });
});

describe('terminal work', () => {
  test('a unit found by its number shows its details and history; a wrong check digit is caught', async () => {
    const page = await world.page();
    await world.login(page, 'holder');
    await page.goto(`${world.origin}/units`);
    await page.getByLabel('Container number').fill('CSQU3054384');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByText('The check digit (the last digit) does not match').waitFor();
    const list = await world.api(page, 'GET', '/api/v1/units?state=in_yard&limit=1');
    const cid = list.json.units[0].container_id;
    await page.getByLabel('Container number').fill(cid.toLowerCase());
    await page.getByRole('button', { name: 'Find' }).click();
    await page.waitForURL(new RegExp(`/units/${cid}$`));
    assert.equal(await page.getByTestId('unit-id').innerText(), cid);
    await page.getByTestId('moves').waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await world.screenshot(page, 'unit-en');
    await noCsp(page);
  });

  test('XSS payloads in a hold reason and in a searched path are shown as text', async () => {
    const page = await world.page();
    await world.login(page, 'holder');
    const list = await world.api(page, 'GET', '/api/v1/units?state=in_yard&limit=3');
    const cid = list.json.units[2].container_id;
    await page.goto(`${world.origin}/units/${cid}`);
    await page.getByLabel('Reason').fill(XSS.slice(0, 120));
    await page.getByRole('button', { name: 'Place hold' }).click();
    await page.getByText('The hold has been placed.').waitFor();
    await page.getByTestId('holds').getByText('<script>window.__xss=1</script>', { exact: false }).waitFor();
    // A hostile path: the API's answer quotes it; it is shown, never run.
    await page.goto(`${world.origin}/units/${encodeURIComponent('"><img src=x onerror=window.__xss=1>')}`);
    await page.getByTestId('error').waitFor();
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    assert.equal(await page.locator('main img').count(), 0);
    await page.getByRole('button', { name: `Release Terminal hold` }).count();
    await world.api(page, 'DELETE', `/api/v1/units/${cid}/holds/terminal`);
    await noCsp(page);
  });

  test('a gate-in through the form (double-clicked: one transaction) appears on the yard map at its slot', async () => {
    const page = await world.page();
    await world.login(page, 'gatekeeper');
    const advised = await world.api(page, 'GET', '/api/v1/units?state=advised&category=export&limit=20');
    const unit = advised.json.units.find((u) => u.slot === null);
    assert.ok(unit, 'the demo has export units expected at the gate');
    await page.goto(`${world.origin}/gate`);
    await page.getByRole('heading', { name: 'Gate', exact: true }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await page.getByLabel('Container number').fill(unit.container_id);
    // A plate as the domain records them (Latin letters); a kana plate is refused here first.
    await page.getByLabel('Truck plate').fill('品川 100 あ 12-34');
    await page.getByTestId('gate-submit').click();
    await page.getByText("Up to 16 Latin letters (A-Z), digits, spaces and '-'").waitFor();
    await page.getByLabel('Truck plate').fill('NGO 100 A 1234');
    await page.getByTestId('gate-submit').dblclick();
    const result = page.getByTestId('gate-result');
    await page.locator('[data-testid=gate-result], [data-testid=gate-error]').first().waitFor();
    if (await page.getByTestId('gate-error').count()) {
      assert.fail(`the gate-in was refused: ${await page.getByTestId('gate-error').innerText()}`);
    }
    await world.screenshot(page, 'gate-en');
    const placed = await world.api(page, 'GET', `/api/v1/units/${unit.container_id}`);
    assert.equal(placed.json.state, 'in_yard');
    assert.equal(placed.json.moves.filter((m) => m.kind === 'gate_in').length, 1, 'one gate transaction');
    const slot = placed.json.slot; // BLOCK-BAY-ROW-TIER
    assert.match(await result.innerText(), new RegExp(slot));
    // The yard map: open the stack of that slot; the unit is in it at its tier.
    const [block, bay, row, tier] = slot.split('-');
    await page.goto(`${world.origin}/yard`);
    await page.getByTestId('yard-canvas').waitFor();
    await page.waitForFunction(() => document.querySelector('canvas')?.dataset.drawMs !== undefined);
    await page.getByTestId('stack-block').selectOption(block);
    // A 40-foot unit stands on an even bay over two 20-foot stacks: open the first.
    const bay20 = Number(bay) % 2 === 0 ? Number(bay) - 1 : Number(bay);
    await page.getByLabel('Bay', { exact: true }).fill(String(bay20));
    await page.getByLabel('Row', { exact: true }).fill(String(Number(row)));
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    const stack = page.getByTestId('stack-units');
    await stack.getByRole('link', { name: unit.container_id }).waitFor();
    const rowText = await stack.getByRole('row', { name: new RegExp(unit.container_id) }).innerText();
    assert.match(rowText, new RegExp(`^${tier}\\b`));
    assert.deepEqual(await axeViolations(page), []);
    await world.screenshot(page, 'yard-en');
    const drawMs = Number(await page.getByTestId('yard-canvas').getAttribute('data-draw-ms'));
    assert.ok(drawMs > 0, 'the map was drawn');
    await noCsp(page);
  });

  test('a gate-out is refused while the unit is on hold, the reason shown', async () => {
    const page = await world.page();
    await world.login(page, 'gatekeeper');
    const list = await world.api(page, 'GET', '/api/v1/units?state=in_yard&category=export&limit=50');
    const unit = list.json.units.find((u) => u.holds.length === 0);
    const held = await world.api(page, 'POST', `/api/v1/units/${unit.container_id}/holds`, {
      kind: 'customs',
      reason: 'X-ray inspection',
    });
    assert.equal(held.status, 200, JSON.stringify(held.json));
    await page.goto(`${world.origin}/gate`);
    await page.getByTestId('tab-out').click();
    await page.getByLabel('Container number').fill(unit.container_id);
    await page.getByLabel('Truck plate').fill('TRK-77');
    await page.getByTestId('gate-submit').click();
    const error = page.getByTestId('gate-error');
    await error.waitFor();
    assert.match(await error.innerText(), /customs hold \(X-ray inspection\)/);
    assert.match(await error.innerText(), /Not possible in the current state/);
    const after = await world.api(page, 'GET', `/api/v1/units/${unit.container_id}`);
    assert.equal(after.json.state, 'in_yard', 'nothing half-done');
    await noCsp(page);
  });
});

describe('security administration and audit', () => {
  test('G2_1_1_h a privileged change requested by the admin is approved by the officer in a second browser, then executed', async () => {
    const admin = await world.page();
    await world.login(admin, 'admin');
    await admin.goto(`${world.origin}/users`);
    await admin.getByTestId('accounts').getByRole('cell', { name: 'linguist', exact: true }).waitFor();
    assert.deepEqual(await axeViolations(admin), []);
    await world.screenshot(admin, 'users-en');
    // A new account: an enrolment link, never a password.
    await admin.getByLabel('User name', { exact: true }).fill('trainee');
    await admin.getByLabel('Yard clerk').check();
    await admin.getByRole('button', { name: 'Create and make the enrolment link' }).click();
    assert.match(await admin.getByTestId('enrolment-link').innerText(), new RegExp(`^${world.origin}/enrol#token=`));

    await admin.goto(`${world.origin}/approvals`);
    await admin.getByLabel('User name', { exact: true }).fill('linguist');
    await admin.getByLabel('New roles (comma-separated)').fill('viewer, yard_clerk');
    await admin.getByLabel('Reason', { exact: true }).fill('moves to the yard team');
    await admin.getByRole('button', { name: 'Request', exact: true }).click();
    await admin.getByTestId('approvals-message').waitFor();
    const row = admin.getByTestId('approvals').locator('tbody tr').first();
    const id = await row.getAttribute('data-id');
    assert.match(await row.innerText(), /Waiting for approval/);
    // The requester cannot approve their own request: the button is not there.
    assert.equal(await row.getByRole('button', { name: 'Approve' }).count(), 0);

    const officer = await world.page();
    officer.on('dialog', (d) => d.accept('checked with the yard manager'));
    await world.login(officer, 'officer');
    await officer.goto(`${world.origin}/approvals`);
    const pending = officer.locator(`tr[data-id="${id}"]`);
    await pending.getByRole('button', { name: 'Approve' }).click();
    await officer.getByTestId('approvals-message').getByText(`Request ${id} approved.`).waitFor();
    assert.deepEqual(await axeViolations(officer), []);
    await world.screenshot(officer, 'approvals-en');

    await admin.reload();
    await admin.locator(`tr[data-id="${id}"]`).getByRole('button', { name: 'Execute' }).click();
    await admin.getByTestId('approvals-message').getByText(`Request ${id} executed`).waitFor();
    const review = await world.api(admin, 'GET', '/api/v1/access-review');
    const linguist = review.json.accounts.find((a) => a.username === 'linguist');
    assert.deepEqual([...linguist.roles].sort(), ['viewer', 'yard_clerk']);
    await noCsp(admin);
    await noCsp(officer);
  });

  test('G2_7_3_d the auditor verifies the log and checks an event\'s inclusion proof in the browser', async () => {
    const page = await world.page();
    await world.login(page, 'auditor');
    await page.goto(`${world.origin}/audit`);
    await page.getByTestId('audit-events').locator('tbody tr').first().waitFor();
    await page.getByRole('button', { name: 'Verify now' }).click();
    const result = page.getByTestId('verify-result');
    await result.waitFor();
    assert.match(await result.innerText(), /The audit log is intact\./);
    await page.getByRole('button', { name: 'Check the inclusion proof of event 1', exact: true }).click();
    await page.getByTestId('proof-result').getByText(/Included in the signed tree of/).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await world.screenshot(page, 'audit-en');
    // The auditor's reads and the check are themselves in the log.
    const events = await world.api(page, 'GET', '/api/v1/audit/events?action=audit.verify');
    assert.equal(events.json.events.at(-1).result, 'success');
    await noCsp(page);
  });
});

describe('in Japanese', () => {
  test('every main screen in Japanese: headings translated, no serious accessibility violation', async () => {
    const visits = [
      ['gatekeeper', [['/yard', 'ヤードマップ', 'yard-ja'], ['/units', 'コンテナ照会', 'unit-ja'], ['/gate', 'ゲート', 'gate-ja'],
        ['/visits', '本船', 'visits-ja'], ['/edi', 'EDI 取込', 'edi-ja'], ['/appointments', '搬出入予約', 'appointments-ja'],
        ['/account', 'マイアカウント', 'account-ja']]],
      ['admin', [['/users', 'ユーザー管理', 'users-ja'], ['/approvals', '承認', 'approvals-ja']]],
      ['auditor', [['/audit', '監査ログ', 'audit-ja'], ['/security', 'セキュリティ', 'security-ja']]],
    ];
    for (const [user, screens] of visits) {
      const page = await world.page({ locale: 'ja-JP' });
      await world.login(page, user);
      for (const [path, heading, shot] of screens) {
        await page.goto(`${world.origin}${path}`);
        await page.getByRole('heading', { level: 1, name: heading }).waitFor();
        await page.waitForLoadState('networkidle');
        if (path === '/yard') {
          await page.waitForFunction(() => document.querySelector('canvas')?.dataset.drawMs !== undefined);
        }
        if (path === '/units') {
          const list = await world.api(page, 'GET', '/api/v1/units?state=in_yard&limit=1');
          await page.goto(`${world.origin}/units/${list.json.units[0].container_id}`);
          await page.getByTestId('moves').waitFor();
        }
        assert.deepEqual(await axeViolations(page), [], `${path} in Japanese`);
        await world.screenshot(page, shot);
      }
      await noCsp(page);
    }
  });
});

describe('EDI', () => {
  test('G2_7_1_c an EDI file is taken in, previewed, then imported; the intake record lists it', async () => {
    const page = await world.page();
    await world.login(page, 'holder');
    await page.goto(`${world.origin}/edi`);
    await page.getByRole('heading', { name: 'EDI import' }).waitFor();
    const file = new URL('../../tests/data/edi/codeco-1.edi', import.meta.url).pathname;
    await page.getByLabel('EDIFACT file').setInputFiles(file);
    await page.getByRole('button', { name: 'Take in and preview' }).click();
    const preview = page.getByTestId('edi-preview');
    await page.locator('[data-testid=edi-preview], [data-testid=edi-error]').first().waitFor();
    if (await page.getByTestId('edi-error').count()) {
      assert.fail(`the intake refused the file: ${await page.getByTestId('edi-error').innerText()}`);
    }
    assert.match(await preview.innerText(), /Taken in: intake record \d+/);
    assert.match(await page.getByTestId('edi-would').innerText(), /An import would make \d+ units/);
    assert.deepEqual(await axeViolations(page), []);
    await world.screenshot(page, 'edi-en');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const report = page.getByTestId('edi-report');
    await page.locator('[data-testid=edi-report], [data-testid=edi-error]').first().waitFor();
    if (await page.getByTestId('edi-error').count()) {
      assert.fail(`the import was refused: ${await page.getByTestId('edi-error').innerText()}`);
    }
    assert.match(await report.innerText(), /CODECO imported|Already imported/);
    // Two receipts of the file (the preview's and the import's), both scanned and recorded.
    const rows = page.getByTestId('intake').getByRole('row', { name: /codeco-1\.edi/ });
    assert.ok((await rows.count()) >= 2);
    await noCsp(page);
  });
});

describe('vessel visits', () => {
  test('a visit shows its phase, progress and a bay view drawn from the stowage positions', async () => {
    const page = await world.page();
    await world.login(page, 'holder');
    await page.goto(`${world.origin}/visits`);
    const first = page.getByTestId('visits').getByRole('link').first();
    await first.waitFor();
    assert.deepEqual(await axeViolations(page), []);
    // A new visit gets its arrival bay plan by BAPLIE through the EDI screen (a real file of
    // 609 containers, 313 of them for BHKBS, taken here as this port).
    const created = await world.api(page, 'POST', '/api/v1/vessel-visits', {
      id: 'KBS-001E', vessel_name: 'E2E TRADER', imo: '9355769', berth: 'T3',
      eta: '2027-03-01T06:00:00Z', etd: '2027-03-02T06:00:00Z',
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    await page.goto(`${world.origin}/edi`);
    const plan = new URL('../../tests/data/edi/baplie-d95b-smdg22-demo.edi', import.meta.url).pathname;
    await page.getByLabel('EDIFACT file').setInputFiles(plan);
    await page.getByRole('button', { name: 'Take in and preview' }).click();
    await page.getByTestId('edi-preview').waitFor();
    await page.getByTestId('edi-preview').getByLabel('Vessel visit').selectOption('KBS-001E');
    await page.getByLabel("This port (UN/LOCODE; empty: the terminal's)").fill('BHKBS');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.locator('[data-testid=edi-report], [data-testid=edi-error]').first().waitFor();
    if (await page.getByTestId('edi-error').count()) {
      assert.fail(`the bay plan was refused: ${await page.getByTestId('edi-error').innerText()}`);
    }
    assert.match(await page.getByTestId('edi-report').innerText(), /BAPLIE imported/);
    await page.goto(`${world.origin}/visits`);
    await page.getByRole('link', { name: 'KBS-001E', exact: true }).click();
    await page.getByTestId('visit-progress').waitFor();
    assert.match(await page.getByTestId('visit-progress').innerText(), /Discharged [\d,]+ of [\d,]+/);
    const cells = page.getByTestId('bay-view').locator('rect');
    await cells.first().waitFor();
    assert.ok((await cells.count()) > 0, 'the bay view draws the units of the bay');
    assert.deepEqual(await axeViolations(page), []);
    await world.screenshot(page, 'visit-en');
    await noCsp(page);
  });
});

describe('oversight and the gate plan', () => {
  test('G2_1_1_i the auditor signs off the access review; security staff read the alerts', async () => {
    const auditor = await world.page();
    await world.login(auditor, 'auditor');
    await auditor.goto(`${world.origin}/security`);
    await auditor.getByTestId('review').getByRole('cell', { name: 'operator', exact: true }).waitFor();
    await auditor.getByLabel('Note of the review').fill('quarterly review: no change needed');
    await auditor.getByRole('button', { name: 'Sign off this review' }).click();
    await auditor.getByTestId('security-message').getByText('The review is signed off.').waitFor();
    await auditor.getByTestId('sign-offs').getByText(/quarterly review: no change needed/).waitFor();
    assert.deepEqual(await axeViolations(auditor), []);
    await world.screenshot(auditor, 'security-en');
    const officer = await world.page();
    await world.login(officer, 'officer');
    await officer.goto(`${world.origin}/security`);
    await officer.getByRole('heading', { name: 'Vendor maintenance windows' }).waitFor();
    // The officer has no access review (that is the auditor's): the section is not there.
    assert.equal(await officer.getByTestId('review').count(), 0);
    await officer.getByRole('link', { name: 'Alerts' }).click();
    await officer.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
    await officer.locator('[data-testid=outbox], [data-testid=no-alerts]').first().waitFor();
    await noCsp(auditor);
    await noCsp(officer);
  });

  test('a truck is booked into a slot and the booking cancelled', async () => {
    const page = await world.page();
    await world.login(page, 'gatekeeper');
    await page.goto(`${world.origin}/appointments`);
    await page.getByTestId('slots').locator('tbody tr').first().waitFor();
    // A unit advised now (an empty to be stored), so that no appointment holds it yet.
    const unit = { container_id: containerNumber('TST', 424242) };
    const advised = await world.api(page, 'POST', '/api/v1/units', {
      container_id: unit.container_id, size_type: '22G1', category: 'storage', freight: 'empty',
      line_operator: 'ONE', gross_kg: 2200,
    });
    assert.equal(advised.status, 201, JSON.stringify(advised.json));
    await page.getByLabel('Container number').fill(unit.container_id);
    await page.getByLabel('Truck plate').fill('NGO 500 B 77');
    await page.getByLabel('Haulier code').fill('NITTSU');
    await page.getByRole('button', { name: 'Book', exact: true }).click();
    const booked = page.getByTestId('booked');
    await page.locator('[data-testid=booked], [data-testid=error]').first().waitFor();
    if (await page.getByTestId('error').count()) {
      assert.fail(`the booking was refused: ${await page.getByTestId('error').innerText()}`);
    }
    assert.match(await booked.innerText(), /Appointment \d+ booked/);
    assert.deepEqual(await axeViolations(page), []);
    await world.screenshot(page, 'appointments-en');
    await booked.getByRole('button', { name: 'Cancel it' }).click();
    await page.getByText(/Appointment \d+ cancelled\./).waitFor();
    await noCsp(page);
  });
});

describe('API tokens', () => {
  test('a user administrator issues, rotates and revokes a line client\'s API token', async () => {
    const page = await world.page();
    await world.login(page, 'admin');
    await page.goto(`${world.origin}/users`);
    await page.getByTestId('accounts').getByRole('row', { name: /lineapi/ }).getByRole('button', { name: 'API tokens' }).click();
    const panel = page.getByTestId('tokens');
    await panel.getByLabel('Name').fill('EDI gateway');
    await panel.getByRole('button', { name: 'Issue a token' }).click();
    const secret = panel.getByTestId('token-secret');
    await secret.waitFor();
    const first = await secret.innerText();
    assert.match(first, /^mnt_/);
    // The token works for the client, through the API.
    const ok = await page.evaluate(async (tok) => (await fetch('/api/v1/units?limit=1', { headers: { Authorization: `Bearer ${tok}` } })).status, first);
    assert.notEqual(ok, 401);
    assert.deepEqual(await axeViolations(page), []);
    await panel.getByRole('button', { name: 'Rotate' }).click();
    await page.waitForFunction((old) => document.querySelector('[data-testid=token-secret]')?.textContent !== old, first);
    const second = await secret.innerText();
    assert.notEqual(second, first);
    // The rotated token stays valid for its grace period; then the new one is revoked.
    await panel.getByRole('button', { name: 'Revoke' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=tokens] tbody tr.bad').length === 2);
    assert.equal(await panel.getByRole('button', { name: 'Revoke' }).count(), 0);
    const refused = await page.evaluate(async (tok) => (await fetch('/api/v1/units?limit=1', { headers: { Authorization: `Bearer ${tok}` } })).status, second);
    assert.equal(refused, 401);
    await noCsp(page);
  });
});
