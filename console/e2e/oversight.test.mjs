// The console's live and oversight screens end to end, in Debian's Chromium against a real
// `minato serve` of the demo terminal with backups set up: the gate queue followed live by a
// second clerk, a source blocked by a guesser (its alert arriving live, its early end by a user
// administrator), a role rule requested, backups written and a restore drill recorded, every
// screen in Japanese, and a keyboard-only walk. After every test: no console error, no
// uncaught error, no CSP violation.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { USER_PASSWORD, axeViolations, checkEveryTest, noCsp as noCspOn, run, startWorld } from './harness.mjs';

let world;

before(async () => {
  world = await startWorld({
    backups: true,
    users: [
      ['clerk1', 'gate_clerk'],
      ['clerk2', 'gate_clerk'],
      ['keeper', 'backup_operator'],
      ['walker', 'gate_clerk'],
      ['stock', 'asset_manager'],
      ['retirer', 'asset_manager'],
    ],
    // Alerts go to security staff by mail (no mail server here: they wait in the outbox).
    config: { security_mail: '"soc@terminal.example"' },
  });
});

checkEveryTest(() => world);

const noCsp = (page) => noCspOn(world, page);

// One HTTPS request, on a connection of its own, from the loopback address `source` (as another
// machine would send it), checked against the server's own certificate. Resolves with the status, 0 when the server
// closed the connection (a blocked source is closed before TLS).
function fromSource(source, method, apiPath, body) {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve) => {
    const req = request({
      host: '127.0.0.1', port: world.port, method, path: apiPath, localAddress: source, agent: false,
      servername: 'localhost', ca: readFileSync(path.join(world.data, 'tls', 'cert.pem')),
      headers: text ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) } : {},
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.end(text);
  });
}

async function live(page) {
  await page.waitForSelector('html[data-live=open]', { state: 'attached' });
}

describe('the gate queue', () => {
  test('a truck registered at arrival appears live on another clerk\'s screen, is served and leaves', async () => {
    const watcher = await world.page();
    await world.login(watcher, 'clerk2');
    await watcher.goto(`${world.origin}/gate`);
    await watcher.getByTestId('queue-count').waitFor();
    await live(watcher);
    const clerk = await world.page();
    await world.login(clerk, 'clerk1');
    await clerk.goto(`${world.origin}/gate`);
    const arrival = clerk.getByTestId('arrival-form');
    await arrival.getByLabel('Plate of the arriving truck').fill('NGO 500 E2E');
    await arrival.getByLabel('Haulier code').fill('HAUL9');
    await arrival.getByRole('button', { name: 'Register arrival' }).click();
    const row = (p) => p.getByTestId('queue').locator('tr[data-plate="NGO 500 E2E"]');
    await row(clerk).waitFor();
    // The other clerk's screen follows without a reload.
    await row(watcher).waitFor();
    assert.match(await row(watcher).innerText(), /HAUL9/);
    assert.deepEqual(await axeViolations(clerk), []);
    await world.screenshot(clerk, 'gate-queue-en');
    // Served: its plate goes into the gate form and its visit with the transaction.
    await clerk.getByRole('button', { name: 'Serve truck NGO 500 E2E' }).click();
    await clerk.getByTestId('serving').getByText(/NGO 500 E2E/).waitFor();
    assert.equal(await clerk.getByTestId('gate-form').getByLabel('Truck plate').inputValue(), 'NGO 500 E2E');
    // Its exit ends its turn time: gone from both screens.
    await clerk.getByRole('button', { name: 'Record exit of truck NGO 500 E2E' }).click();
    await row(clerk).waitFor({ state: 'detached' });
    await row(watcher).waitFor({ state: 'detached' });
    await noCsp(clerk);
    await noCsp(watcher);
  });
});

describe('sources, rules and alerts', () => {
  test('G2_2_2_f a source blocked after 20 failed logins: its alert arrives live, a user admin ends the block', async () => {
    const officer = await world.page();
    await world.login(officer, 'officer');
    await officer.goto(`${world.origin}/alerts`);
    await officer.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
    await live(officer);
    // A guesser on 127.0.0.9: 20 failed logins, then its connections are closed.
    for (let i = 0; i < 20; ++i) {
      await fromSource('127.0.0.9', 'POST', '/api/v1/session', { username: 'nobody', password: `Wrong#Guess-${i}`, totp: '000000' });
    }
    assert.equal(await fromSource('127.0.0.9', 'GET', '/api/v1/health'), 0, 'the source is blocked');
    await officer.locator('tr[data-event="source.blocked"]').getByTestId('new-alert').waitFor();
    await officer.getByTestId('alerts-announce').getByText(/new alert/).waitFor();
    assert.deepEqual(await axeViolations(officer), []);
    await world.screenshot(officer, 'alerts-en');

    const admin = await world.page();
    await world.login(admin, 'admin');
    await admin.goto(`${world.origin}/sources`);
    await admin.getByTestId('blocks').getByRole('cell', { name: '127.0.0.9' }).waitFor();
    assert.deepEqual(await axeViolations(admin), []);
    const unblock = admin.getByTestId('unblock-form');
    await unblock.getByLabel('Address').selectOption('127.0.0.9');
    await unblock.getByLabel('Reason').fill('an E2E script mistyped a password');
    await unblock.getByRole('button', { name: 'End the block' }).click();
    await admin.getByTestId('sources-message').getByText('The block of 127.0.0.9 has ended.').waitFor();
    await admin.getByTestId('no-blocks').waitFor();
    assert.equal(await fromSource('127.0.0.9', 'GET', '/api/v1/health'), 200, 'the source is let in again');

    // A role's rule is requested here and waits for a second person.
    const rule = admin.getByTestId('rule-form');
    await rule.getByLabel('Role').selectOption('yard_clerk');
    await rule.getByLabel('Allowed sources').fill('127.0.0.0/8');
    await rule.getByLabel('Login hours').fill('daily 00:00-23:59');
    await rule.getByLabel('Reason').fill('yard terminals only');
    await rule.getByRole('button', { name: 'Request approval' }).click();
    await admin.getByTestId('sources-message').getByText(/waits for a security officer's approval/).waitFor();
    await admin.getByText(/An address is blocked after 20 failed logins within 10 minutes, for 15 minutes/).waitFor();
    await admin.evaluate(() => window.scrollTo(0, 0));
    await world.screenshot(admin, 'sources-en');
    // The officer sees the rules but may not end a block (no form).
    await officer.goto(`${world.origin}/sources`);
    await officer.getByRole('heading', { name: 'Rules of each role' }).waitFor();
    assert.equal(await officer.getByTestId('unblock-form').count(), 0);
    assert.equal(await officer.getByTestId('rule-form').count(), 0);
    await noCsp(officer);
    await noCsp(admin);
  });
});

describe('backups', () => {
  test('G2_7_2_f a backup operator writes a set now; a drill recorded on the vault side is listed', async () => {
    const keeper = await world.page();
    await world.login(keeper, 'keeper');
    await keeper.goto(`${world.origin}/backups`);
    const targets = keeper.getByTestId('backup-targets');
    await targets.locator('tr[data-target=config]').waitFor();
    assert.equal(await targets.locator('tbody tr').count(), 4);
    assert.equal(await keeper.getByTestId('not-configured').count(), 0);
    await keeper.getByRole('button', { name: 'Back up now: Database' }).click();
    await keeper.getByTestId('backups-message').getByText(/^Set \S+-database written/).waitFor();
    const row = targets.locator('tr[data-target=database]');
    assert.match(await row.innerText(), /-database/);
    assert.match(await row.innerText(), /not yet — only on this server/);
    assert.deepEqual(await axeViolations(keeper), []);
    // A restore drill of the newest sets (as the vault's host runs it), recorded in the log.
    await keeper.getByRole('button', { name: 'Back up now: Configuration and keys' }).click();
    await keeper.getByTestId('backups-message').getByText(/^Set \S+-config written/).waitFor();
    const drill = JSON.parse(world.minato(['backup', 'drill', '--from', path.join(world.data, 'backups'),
      '--data', world.data, '--recovery', path.join(world.data, 'keys'),
      '--passphrase-file', world.passphraseFiles.data, '--keys-passphrase-file', world.passphraseFiles.keys,
      '--json', '--quiet']));
    assert.equal(drill.outcome, 'passed');
    await keeper.reload();
    await keeper.getByTestId('drills').getByRole('cell', { name: 'Passed' }).waitFor();
    await world.screenshot(keeper, 'backups-en');
    // An auditor reads the same screen, without the buttons.
    const auditor = await world.page();
    await world.login(auditor, 'auditor');
    await auditor.goto(`${world.origin}/backups`);
    await auditor.getByTestId('drills').waitFor();
    assert.equal(await auditor.getByRole('button', { name: /^Back up now/ }).count(), 0);
    await noCsp(keeper);
    await noCsp(auditor);
  });
});

describe('assets', () => {
  test('A1_3_1 G2_6_1_a G1_2 an asset manager registers a USB stick and its work; it goes out only on an approved request and comes back', async () => {
    const keeper = await world.page();
    await world.login(keeper, 'stock');
    await keeper.goto(`${world.origin}/it-assets`);
    const form = keeper.getByTestId('add-form');
    await form.getByLabel('Asset tag', { exact: true }).fill('USB-09');
    await form.getByLabel('Kind').selectOption('media');
    await form.getByLabel('Name', { exact: true }).fill('USB stick for vessel EDI <b>bold</b>');
    await form.getByLabel('Place', { exact: true }).fill('security office safe');
    await form.getByRole('button', { name: 'Register' }).click();
    await keeper.waitForURL(/\/it-assets\/USB-09$/);
    await keeper.getByTestId('asset').getByRole('heading', { name: 'USB-09: USB stick for vessel EDI <b>bold</b>' }).waitFor();
    assert.equal(await keeper.locator('main b').count(), 0, 'the name is shown as text');
    // G2.6.1-a: the work done on it.
    const work = keeper.getByTestId('work-form');
    await work.getByLabel('Date', { exact: true }).fill('2026-12-05');
    await work.getByLabel('Work done', { exact: true }).fill('formatted and scanned');
    await work.getByLabel('Worker', { exact: true }).fill('Sato');
    await work.getByRole('button', { name: 'Record the work' }).click();
    await keeper.getByTestId('work').getByText('formatted and scanned').waitFor();
    // G1.2: requested; a security officer approves on the approvals screen; handed out.
    const request = keeper.getByTestId('request-form');
    await request.getByLabel('Holder', { exact: true }).fill('Ito (planning)');
    await request.getByLabel('Purpose', { exact: true }).fill('BAPLIE from MSC CLAUDIA');
    await request.getByRole('button', { name: 'Request the checkout' }).click();
    const said = keeper.getByTestId('assets-message');
    await said.getByText(/Checkout request \d+ is made/).waitFor();
    const id = Number(/request (\d+)/.exec(await said.textContent())[1]);
    const checkout = keeper.getByTestId('checkout-form');
    await checkout.getByLabel('Approved request number').fill(String(id));
    await checkout.getByRole('button', { name: 'Hand out' }).click();
    await keeper.getByTestId('loan-error').getByText(/not approved/).waitFor();
    const officer = await world.page();
    await world.login(officer, 'officer');
    await officer.goto(`${world.origin}/approvals`);
    const row = officer.getByTestId('approvals').locator(`tr[data-id="${id}"]`);
    await row.getByText('media.checkout asset:USB-09').waitFor();
    await row.getByRole('button', { name: 'Approve' }).click();
    await officer.getByTestId('approvals-message').getByText(`Request ${id} approved.`).waitFor();
    await checkout.getByLabel('Approved request number').fill(String(id));
    await checkout.getByRole('button', { name: 'Hand out' }).click();
    await keeper.getByTestId('loans-out').getByText('Ito (planning)').waitFor();
    assert.deepEqual(await axeViolations(keeper), []);
    await keeper.evaluate(() => window.scrollTo(0, 0));
    await world.screenshot(keeper, 'assets-en');
    // Back, with its state noted.
    await keeper.getByTestId('return-form').getByLabel('State on return').fill('scanned clean');
    await keeper.getByRole('button', { name: 'Take back' }).click();
    await keeper.getByTestId('no-loans').waitFor();
    await keeper.getByTestId('loans').getByText('scanned clean').waitFor();
    await noCsp(keeper);
    await noCsp(officer);
  });
});

describe('disposal', () => {
  test('G2_6_1_c G2_6_3 a server whose installation was decommissioned is disposed of with its signed certificate', async () => {
    // The old server's installation: made, then erased by `minato decommission`.
    const root = mkdtempSync(path.join(tmpdir(), 'minato-old-'));
    try {
      const old = path.join(root, 'data');
      writeFileSync(path.join(root, 'admin.pw'), `${USER_PASSWORD}\n`);
      run(['init', '--data', old, '--admin-user', 'admin', '--admin-password-file', path.join(root, 'admin.pw')]);
      const cert = path.join(root, 'old-server.certificate');
      const done = JSON.parse(run(['decommission', '--data', old, '--certificate', cert,
        '--confirm', 'Minato container terminal', '--reason', 'replaced by new hardware', '--without-export', '--json']));
      assert.equal(done.complete, true);
      const page = await world.page();
      await world.login(page, 'retirer');
      await page.goto(`${world.origin}/it-assets`);
      const form = page.getByTestId('add-form');
      await form.getByLabel('Asset tag', { exact: true }).fill('SRV-OLD');
      await form.getByLabel('Kind').selectOption('server');
      await form.getByLabel('Name', { exact: true }).fill('TOS server (old)');
      await form.getByRole('button', { name: 'Register' }).click();
      await page.waitForURL(/\/it-assets\/SRV-OLD$/);
      const disposal = page.getByTestId('disposal-form');
      // A certificate with one byte changed is refused, saying so; the asset stays.
      const text = readFileSync(cert, 'utf8');
      const forged = path.join(root, 'forged.certificate');
      writeFileSync(forged, text.replace('"outcome": "complete"', '"outcome": "complete "'));
      await disposal.getByLabel('Decommission certificate').setInputFiles(forged);
      await disposal.getByRole('button', { name: 'Dispose of with this certificate' }).click();
      await page.getByTestId('disposal-error').getByText(/the certificate was changed/).waitFor();
      // Another installation's key: refused.
      await disposal.getByLabel('Decommission certificate').setInputFiles(cert);
      await disposal.getByLabel(/Signing key fingerprint/).fill('ab'.repeat(32));
      await disposal.getByRole('button', { name: 'Dispose of with this certificate' }).click();
      await page.getByTestId('disposal-error').getByText(/not the expected/).waitFor();
      await disposal.getByLabel(/Signing key fingerprint/).fill(done.fingerprint);
      await disposal.getByRole('button', { name: 'Dispose of with this certificate' }).click();
      await page.getByTestId('assets-message').getByText('SRV-OLD is disposed of').waitFor();
      await page.getByTestId('disposed').waitFor();
      await page.getByTestId('work').getByText(new RegExp(`Data erased by minato decommission .*signed by key ${done.fingerprint}`)).waitFor();
      assert.equal(await page.getByTestId('asset').getByLabel('State').inputValue(), 'disposed');
      assert.deepEqual(await axeViolations(page), []);
      await world.screenshot(page, 'asset-disposed-en');
      await noCsp(page);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('in Japanese and by keyboard', () => {
  test('the oversight screens in Japanese: headings translated, no serious accessibility violation', async () => {
    const visits = [
      ['officer', [['/alerts', 'アラート', 'alerts-ja'], ['/sources', '接続元とルール', 'sources-ja'],
        ['/incidents', 'インシデント', 'incidents-ja']]],
      ['keeper', [['/backups', 'バックアップ', 'backups-ja']]],
      ['stock', [['/it-assets', '資産', 'assets-ja']]],
      ['clerk1', [['/gate', 'ゲート', 'gate-queue-ja']]],
    ];
    for (const [user, screens] of visits) {
      const page = await world.page({ locale: 'ja-JP' });
      await world.login(page, user);
      for (const [where, heading, shot] of screens) {
        await page.goto(`${world.origin}${where}`);
        await page.getByRole('heading', { level: 1, name: heading }).waitFor();
        await page.waitForLoadState('networkidle');
        assert.deepEqual(await axeViolations(page), [], `${where} in Japanese`);
        await world.screenshot(page, shot);
      }
      await noCsp(page);
    }
  });

  test('keyboard only: log in, reach the gate from the menu, register a truck, all without a pointer', async () => {
    const page = await world.page();
    await page.goto(`${world.origin}/login`);
    // Tab moves through the page in order (wrapping round), to each field in turn.
    const focusOn = async (selector, max = 20) => {
      for (let i = 0; i < max; ++i) {
        if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
        await page.keyboard.press('Tab');
      }
      assert.fail(`Tab never reached ${selector}`);
    };
    await focusOn('input[name=username]');
    await page.keyboard.type('walker');
    await page.keyboard.press('Tab');
    await page.keyboard.type(world.accounts.walker.password);
    await focusOn('input[name=totp]');
    await page.keyboard.type(await world.code('walker'));
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
    // The menu, by Tab: the gate.
    await focusOn('nav a[href="/gate"]', 40);
    // What has focus is visibly marked.
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'the focused link shows its focus');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Gate' }).waitFor();
    await focusOn('input[name=arrival_plate]', 60);
    await page.keyboard.type('KBD 77');
    await page.keyboard.press('Enter');
    await page.getByTestId('queue').locator('tr[data-plate="KBD 77"]').waitFor();
    // Its buttons are reached by Tab too: the exit, pressed with the space bar.
    await focusOn('button[aria-label="Record exit of truck KBD 77"]', 80);
    await page.keyboard.press('Space');
    await page.getByTestId('queue').locator('tr[data-plate="KBD 77"]').waitFor({ state: 'detached' });
    await noCsp(page);
  });
});

describe('incidents', () => {
  test('G3_1_c G3_1_b an officer opens an incident: other sessions end at once; timeline, report, evidence and close', async () => {
    const clerk = await world.page();
    await world.login(clerk, 'clerk2');
    await clerk.goto(`${world.origin}/gate`);
    await clerk.getByRole('heading', { level: 1, name: 'Gate' }).waitFor();
    const officer = await world.page();
    await world.login(officer, 'officer');
    await officer.goto(`${world.origin}/incidents`);
    const form = officer.getByTestId('open-form');
    await form.getByLabel('Severity').selectOption('high');
    await form.getByLabel('Summary').fill('ransom note on the planning PC <img src=x onerror=alert(1)>');
    await form.getByLabel('End sessions').check();
    await form.getByLabel('Freeze privileged changes').check();
    await form.getByRole('button', { name: 'Open the incident' }).click();
    await officer.waitForURL(/\/incidents\/\d+$/);
    const heading = officer.getByTestId('incident').getByRole('heading', { level: 2 });
    await heading.getByText(/ransom note on the planning PC <img src=x onerror=alert\(1\)>/).waitFor();
    assert.equal(await officer.locator('main img').count(), 0, 'the summary is shown as text');
    await officer.getByTestId('measures').locator('tr[data-measure=sessions]').waitFor();
    await officer.getByTestId('measures').locator('tr[data-measure=freeze]').waitFor();
    // The clerk's session has ended: the next screen asks for a login.
    await clerk.goto(`${world.origin}/gate`);
    await clerk.waitForURL(/\/login/);
    // The officer's own session goes on: the timeline, what was reported, the report.
    const entry = officer.getByTestId('entry-form');
    await entry.getByLabel('Entry').selectOption('reported');
    await entry.getByLabel('What, who, when').fill('port authority security desk, 10:40 JST');
    await entry.getByRole('button', { name: 'Record' }).click();
    await officer.getByTestId('timeline').locator('tr[data-kind=reported]').waitFor();
    await officer.getByTestId('report-form').getByLabel('Cause (the way in)').fill('phishing mail to the planning desk');
    await officer.getByRole('button', { name: 'Save the report' }).click();
    await officer.getByTestId('incidents-message').getByText('The report is saved.').waitFor();
    // G3.1-b: the evidence bundle, downloaded and checked by `minato` as another machine would
    // (no database: a copy of the file and the trusted keys).
    const evidence = officer.getByTestId('evidence-form');
    const [download] = await Promise.all([
      officer.waitForEvent('download'),
      evidence.getByRole('button', { name: 'Make and download' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^incident-\d+-\d{8}T\d{6}Z\.tar$/);
    const saved = path.join(world.root, 'elsewhere', download.suggestedFilename());
    await download.saveAs(saved);
    await officer.getByTestId('incidents-message').getByText(/Evidence bundle incident-\d+-.*\.tar made/).waitFor();
    const checked = JSON.parse(world.minato(['incident', 'verify-evidence', saved, '--json', '--trust',
      path.join(world.data, 'keys', 'audit-trust.txt')]));
    assert.equal(checked.intact, true);
    assert.equal(checked.pinned, true);
    assert.ok(checked.logins >= 2, 'the clerk and the officer logged in');
    assert.deepEqual(await axeViolations(officer), []);
    await officer.evaluate(() => window.scrollTo(0, 0));
    await world.screenshot(officer, 'incidents-en');
    // Closed: its measures end.
    await officer.getByTestId('close-form').getByLabel('Why it is over').fill('PC reimaged; no spread found');
    await officer.getByRole('button', { name: 'Close the incident' }).click();
    await officer.getByTestId('incident-state').getByText('Closed').waitFor();
    await officer.getByTestId('no-measures').waitFor();
    await noCsp(officer);
  });
});
