// Configuration control end to end (G2.6.1-a; the two-person rule of G2.1.1-h), in Debian's
// Chromium against a real `minato serve` of the demo terminal: minato.toml is edited on the host
// while the server runs; the config_changer's screen shows the security setting held back (the
// earlier value still in force, where each value came from) and a restart needed; the changer
// proposes the file as it stands, a security officer approves it on the approvals page, the
// changer applies it, and the versions show the approved change. The same screen lists the keys
// (G2.3-c) with their fingerprints. The officer reads the screen in
// Japanese. After every test: no console error, no uncaught error, no CSP violation.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createHash, X509Certificate } from 'node:crypto';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { axeViolations, checkEveryTest, noCsp as noCspOn, startWorld } from './harness.mjs';

let world;

before(async () => {
  world = await startWorld({ users: [['changer', 'config_changer']] });
});

checkEveryTest(() => world);

const noCsp = (page) => noCspOn(world, page);
const file = () => path.join(world.data, 'minato.toml');

describe('configuration control', () => {
  test('G2_6_1_a an edit of a security setting is held until another person approves it', async () => {
    // Someone edits the file on the host while the server runs.
    const text = readFileSync(file(), 'utf8');
    assert.match(text, /^lockout_threshold = 5$/m);
    writeFileSync(file(), text.replace(/^lockout_threshold = 5$/m, 'lockout_threshold = 3'));

    const changer = await world.page();
    await world.login(changer, 'changer');
    await changer.goto(`${world.origin}/configuration`);
    const held = changer.getByTestId('held');
    await held.waitFor();
    assert.match(await held.innerText(), /login\.lockout_threshold:\s*5\s*→\s*3/);
    await changer.getByTestId('restart-needed').waitFor();
    const row = changer.getByTestId('settings').locator('tr[data-setting="login.lockout_threshold"]');
    assert.equal(await row.locator('td').nth(1).innerText(), '5');
    assert.match(await row.locator('td').nth(2).innerText(), /HELD: the file says "3" \(line \d+\); not approved/);
    await world.screenshot(changer, 'config-held-en');
    assert.deepEqual(await axeViolations(changer), []);

    // The changer proposes the file as it stands.
    const proposeFile = changer.getByTestId('propose-file');
    await proposeFile.getByLabel('Reason').fill('three failed logins lock an account (SOC decision)');
    await proposeFile.getByRole('button', { name: 'Propose the file as it stands' }).click();
    const message = changer.getByTestId('config-message');
    await message.waitFor();
    const id = Number(/request (\d+)/.exec(await message.innerText())[1]);
    const proposal = changer.getByTestId('proposals').locator(`tr[data-id="${id}"]`);
    await proposal.getByText('Waiting for a security officer').waitFor();
    assert.equal(await proposal.getByRole('button', { name: 'Apply to minato.toml' }).count(), 0);

    // A security officer — another person — approves it.
    const officer = await world.page();
    await world.login(officer, 'officer');
    await officer.goto(`${world.origin}/approvals`);
    officer.on('dialog', (d) => d.accept('agreed at the SOC meeting'));
    await officer.locator(`tr[data-id="${id}"]`).getByRole('button', { name: 'Approve' }).click();
    await officer.getByText(`Request ${id} approved.`).waitFor();

    // The changer applies it: minato.toml is the proposed text, recorded as an approved version.
    await changer.reload();
    await proposal.getByRole('button', { name: 'Apply to minato.toml' }).click();
    await changer.getByTestId('config-message').getByText(`Request ${id} applied`).waitFor();
    await changer.getByTestId('versions').locator('tr[data-kind="approved"]').waitFor();
    await changer.getByTestId('nothing-held').waitFor();
    assert.match(readFileSync(file(), 'utf8'), /^lockout_threshold = 3$/m);
    const sha = createHash('sha256').update(readFileSync(file())).digest('hex');
    assert.equal(await changer.getByTestId('file-sha').innerText(), sha);
    await noCsp(changer);

    // G2.3-c: the key inventory on the same screen — the TLS certificate by the fingerprint
    // Node computes from the file, and every other key of the installation.
    const cert = new X509Certificate(readFileSync(path.join(world.data, 'tls', 'cert.pem')));
    const tls = changer.getByTestId('keys').locator('tr[data-key="tls"]');
    assert.match(await tls.innerText(), new RegExp(cert.fingerprint256.replaceAll(':', '').toLowerCase()));
    assert.match(await tls.innerText(), /minato key rotate tls/);
    for (const key of ['audit', 'signing', 'sealing', 'webauthn-rp']) {
      assert.match(await changer.getByTestId('keys').locator(`tr[data-key="${key}"]`).innerText(), /[0-9a-f]{64}/);
    }

    // The officer reads the same screen in Japanese.
    const ja = await world.page({ locale: 'ja-JP' });
    await world.login(ja, 'officer');
    await ja.goto(`${world.origin}/configuration`);
    await ja.getByRole('heading', { name: '設定管理' }).waitFor();
    await ja.getByTestId('versions').locator('tr[data-kind="approved"]').getByText('承認済みの変更').waitFor();
    await ja.getByText('保留中の変更はありません').waitFor();
    await world.screenshot(ja, 'config-ja');
    await noCsp(ja);
  });
});
