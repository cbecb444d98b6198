// The software inventory and vulnerability screens end to end (G2.6.1-b, G2.7.4, A1.3.4,
// G2.7.5), in Debian's Chromium against a real `minato serve` of the demo terminal with a real
// clamd: an asset manager reads Minato's SBOM and downloads it, brings in a server's software
// list (this machine's own dpkg-query output) through the media intake, sees a bad file refused
// with its line named, and searches the list; takes in an OSV feed whose advisory matches this
// machine's glibc and plans the finding; both screens in Japanese. After every test: no console error, no
// uncaught error, no CSP violation.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { axeViolations, checkEveryTest, noCsp as noCspOn, startWorld } from './harness.mjs';

let world;

// A ZIP archive of stored (uncompressed) entries, as OSV's all.zip is laid out: local headers,
// then the central directory. CRC-32 by the table-less bitwise loop.
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return (c ^ 0xffffffff) >>> 0;
}

function storedZip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, text] of entries) {
    const data = Buffer.from(text);
    const fname = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(fname.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16); central.writeUInt32LE(data.length, 20); central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(fname.length, 28); central.writeUInt32LE(offset, 42);
    locals.push(local, fname, data);
    centrals.push(central, fname);
    offset += local.length + fname.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

before(async () => {
  world = await startWorld({ clamd: true, users: [['inventory', 'asset_manager']] });
});

checkEveryTest(() => world);

const noCsp = (page) => noCspOn(world, page);

const dpkg = (...args) => execFileSync('dpkg-query', args, { encoding: 'utf8' });

describe('software inventory', () => {
  test('G2_6_1_b G2_7_4 the SBOM is shown and downloaded; a server\'s dpkg-query list comes in through the intake', async () => {
    const page = await world.page();
    await world.login(page, 'inventory');
    // A server in the register.
    await page.goto(`${world.origin}/it-assets`);
    const form = page.getByTestId('add-form');
    await form.getByLabel('Asset tag', { exact: true }).fill('SRV-21');
    await form.getByLabel('Name', { exact: true }).fill('TOS application server');
    await form.getByRole('button', { name: 'Register' }).click();
    await page.waitForURL(/\/it-assets\/SRV-21$/);
    await page.getByRole('link', { name: 'Software on this asset' }).click();
    await page.getByTestId('no-list').waitFor();

    // Minato's own SBOM: the SQLite library at the version dpkg has installed.
    await page.goto(`${world.origin}/software`);
    const sqlite = page.getByTestId('sbom').locator('tr[data-name="libsqlite3-0"]');
    await sqlite.waitFor();
    assert.equal(await sqlite.locator('td').nth(1).innerText(), dpkg('-W', '-f=${Version}', 'libsqlite3-0'));
    assert.match(await page.getByTestId('sbom-summary').innerText(), /^Minato \d+\.\d+\.\d+: \d+ components/);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the SBOM (CycloneDX JSON)' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^minato-\d+\.\d+\.\d+\.cdx\.json$/);
    const saved = path.join(world.root, download.suggestedFilename());
    await download.saveAs(saved);
    const bom = JSON.parse(readFileSync(saved, 'utf8'));
    assert.equal(bom.bomFormat, 'CycloneDX');
    assert.ok(bom.components.some((c) => c.name === 'libsqlite3-0'));

    // A bad list: its line is named, nothing is imported.
    const importForm = page.getByTestId('software-import');
    await importForm.getByLabel('Asset').selectOption('SRV-21');
    await importForm.getByLabel('List file').setInputFiles({
      name: 'srv-21-bad.txt', mimeType: 'text/plain', buffer: Buffer.from('libc6\t2.36-9\tamd64\nBad_Name\t1.0\tamd64\n'),
    });
    await importForm.getByRole('button', { name: 'Import' }).click();
    await page.getByTestId('software-import-error').getByText("line 2: 'Bad_Name' is not a Debian package name").waitFor();
    await page.getByTestId('no-lists').waitFor();

    // This machine's own list.
    const listing = dpkg('-W', '-f=${binary:Package}\t${Version}\t${Architecture}\t${source:Package}\t${source:Version}\n');
    const installed = listing.split('\n').filter((l) => l.split('\t')[1]).length;
    await importForm.getByLabel('List file').setInputFiles({
      name: 'srv-21.txt', mimeType: 'text/plain', buffer: Buffer.from(listing),
    });
    await importForm.getByRole('button', { name: 'Import' }).click();
    await page.getByTestId('software-message').getByText(
      new RegExp(`^SRV-21: ${installed} entries from dpkg-query output \\(intake record \\d+\\)\\.$`)).waitFor();
    const row = page.getByTestId('lists').locator('tr[data-tag="SRV-21"]');
    await row.getByText('dpkg-query output').waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await world.screenshot(page, 'software-en');

    // The server's list, searched.
    await row.getByRole('link', { name: 'SRV-21' }).click();
    await page.waitForURL(/\/software\/SRV-21$/);
    await page.getByLabel('Search by name or version').fill('libc6');
    const libc = page.getByTestId('components').locator('tr[data-name="libc6"]');
    await libc.waitFor();
    assert.equal(await libc.locator('td').nth(1).innerText(), dpkg('-W', '-f=${Version}', 'libc6'));
    const matching = listing.split('\n').filter((l) => l.split('\t')[1] && l.toLowerCase().split('\t').slice(0, 2).some((f) => f.includes('libc6')));
    assert.equal(await page.getByTestId('components').locator('tbody tr').count(), matching.length);
    await noCsp(page);
  });

  test('G2_7_5 an OSV feed is taken in and matched; a finding gets its plan; what may be missing is said first', async () => {
    // SRV-21's software list is this machine's (the test before).
    const page = await world.page();
    await world.login(page, 'inventory');
    await page.goto(`${world.origin}/vulnerabilities`);
    await page.getByTestId('vuln-warnings').locator('li[data-code="no_feed"]').waitFor();
    await page.getByTestId('no-findings').waitFor();
    // Debian's record of CVE-2010-4756 (glibc's glob, never fixed in bookworm), as OSV.
    const feed = [{
      id: 'DEBIAN-CVE-2010-4756', modified: '2024-09-03T00:00:00Z', upstream: ['CVE-2010-4756'],
      details: 'The glob implementation in the GNU C Library allows remote authenticated users to cause a denial of service via crafted glob expressions.',
      affected: [{ package: { ecosystem: 'Debian:12', name: 'glibc' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }],
    }];
    await page.getByLabel(/^Feed file \(OSV, NVD CVE 2\.0/).setInputFiles({
      name: 'debian-osv.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(feed)),
    });
    await page.getByRole('button', { name: 'Take in and match' }).click();
    await page.getByTestId('vulns-message').getByText(/^OSV feed taken in \(intake record \d+\): 1 entries; 1 new findings/).waitFor();
    // Its newest entry is from 2024: past the 7 days allowed, and said so.
    await page.getByTestId('vuln-warnings').locator('li[data-code="stale"]').getByText(/The OSV feed is \d+ days old \(limit 7\)/).waitFor();
    const row = page.getByTestId('findings').locator('tr', { hasText: 'DEBIAN-CVE-2010-4756' });
    const text = await row.innerText();
    assert.ok(text.includes('SRV-21') && text.includes(`glibc ${dpkg('-W', '-f=${source:Version}', 'libc6')}`), text);
    assert.ok(text.includes('CVE-2010-4756'), 'the CVE it is upstream of');
    assert.deepEqual(await axeViolations(page), []);
    await world.screenshot(page, 'vulnerabilities-en');
    await row.getByRole('link', { name: 'DEBIAN-CVE-2010-4756' }).click();
    await page.waitForURL(/\/vulnerabilities\/\d+$/);
    const plan = page.getByTestId('plan');
    await plan.getByLabel('State').selectOption('accepted');
    await plan.getByRole('button', { name: 'Save the plan' }).click();
    await page.getByTestId('plan-error').getByText(/only with the workaround or compensating control/).waitFor();
    await plan.getByLabel('Owner', { exact: true }).fill('Sato (IT)');
    await plan.getByLabel('Due').fill('2026-12-31');
    await plan.getByLabel('Compensating control').fill('no shell access for TOS users; glob input never from outside');
    await plan.getByRole('button', { name: 'Save the plan' }).click();
    await page.getByTestId('vulns-message').getByText('Plan saved.').waitFor();
    assert.equal(await plan.getByLabel('Owner', { exact: true }).inputValue(), 'Sato (IT)');
    // The Debian Security Tracker's JSON: Debian's own word per release (named as such).
    await page.goto(`${world.origin}/vulnerabilities`);
    const tracker = { glibc: {
      'CVE-2023-4911': { description: 'ld.so buffer overflow', releases: {
        bookworm: { status: 'resolved', fixed_version: '2.36-9+deb12u3', urgency: 'high' } } },
      'CVE-2019-1010022': { description: 'GNU Libc: stack guard protection bypass', releases: {
        bookworm: { status: 'open', urgency: 'unimportant' } } } } };
    await page.getByLabel(/^Feed file \(OSV, NVD CVE 2\.0/).setInputFiles({
      name: 'debian-security-tracker.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(tracker)),
    });
    await page.getByRole('button', { name: 'Take in and match' }).click();
    await page.getByTestId('vulns-message').getByText(/^Debian Security Tracker feed taken in \(intake record \d+\): 2 entries/).waitFor();
    await page.getByTestId('feeds').locator('tr[data-kind="debian"]').getByText('Debian Security Tracker').waitFor();
    // OSV's all.zip, chosen as a file like any other: the record withdrawn resolves its finding.
    const withdrawn = { ...feed[0], modified: '2024-09-04T00:00:00Z', withdrawn: '2024-09-04T00:00:00Z' };
    await page.getByLabel(/^Feed file \(OSV, NVD CVE 2\.0/).setInputFiles({
      name: 'all.zip', mimeType: 'application/zip', buffer: storedZip([['DEBIAN-CVE-2010-4756.json', JSON.stringify(withdrawn)]]),
    });
    await page.getByRole('button', { name: 'Take in and match' }).click();
    await page.getByTestId('vulns-message').getByText(/^OSV feed taken in \(intake record \d+\): 1 entries; 0 new findings, 1 resolved/).waitFor();
    // Debian's open entry stays: this machine's glibc has no fix for it in bookworm.
    await page.getByTestId('findings').locator('tr', { hasText: 'DEBIAN-CVE-2019-1010022' }).waitFor();
    await noCsp(page);
  });

  test('the software screen in Japanese: translated, no serious accessibility violation', async () => {
    const page = await world.page({ locale: 'ja-JP' });
    await world.login(page, 'inventory');
    await page.goto(`${world.origin}/software`);
    await page.getByRole('heading', { level: 1, name: 'ソフトウェア台帳' }).waitFor();
    await page.getByTestId('sbom').waitFor();
    await page.getByRole('button', { name: 'SBOM をダウンロード（CycloneDX JSON）' }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await world.screenshot(page, 'software-ja');
    await page.goto(`${world.origin}/vulnerabilities`);
    await page.getByRole('heading', { level: 1, name: '脆弱性' }).waitFor();
    await page.getByTestId('findings').waitFor();
    await page.getByTestId('vuln-warnings').getByText(/OSV の脆弱性情報は \d+ 日前のものです/).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await world.screenshot(page, 'vulnerabilities-ja');
    await noCsp(page);
  });
});
