// The compliance dashboard end to end (issue 21), in Debian's Chromium against a real
// `minato serve` of the demo terminal with a real clamd: an auditor sees all 80 guideline items
// checked live with their statuses and the totals, filters the failures, downloads the signed
// report in Japanese as PDF with its signature file and `minato compliance verify` accepts it
// against the server's log; a security officer records evidence for G1.1 with a PDF through the
// media intake (an infected file is refused, nothing recorded), sees the item pass, and
// withdraws it; the dashboard in Japanese. After every test: no console error, no uncaught
// error, no CSP violation.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { axeViolations, checkEveryTest, noCsp as noCspOn, run, startWorld } from './harness.mjs';

let world;

before(async () => {
  world = await startWorld({ clamd: true, users: [['records', 'security_officer']] });
});

checkEveryTest(() => world);

const noCsp = (page) => noCspOn(world, page);

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const EICAR = Buffer.concat([Buffer.from('X5O!P%@AP[4\\PZX54(P^)7CC)7}$'), Buffer.from('EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*')]);

describe('compliance', () => {
  test('every item is checked live; the signed report is downloaded and verifies against the log', async () => {
    const page = await world.page();
    await world.login(page, 'auditor');
    await page.goto(`${world.origin}/compliance`);
    const rows = page.getByTestId('compliance-items').locator('tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 80);
    // The totals are the rows' statuses.
    const statuses = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.status));
    for (const s of ['pass', 'partial', 'fail', 'evidence-needed', 'not-applicable']) {
      const shown = await page.getByTestId('compliance-totals').locator(`[data-status="${s}"]`).innerText();
      assert.equal(Number(shown.split(' ').pop()), statuses.filter((x) => x === s).length, s);
    }
    // The embedded store has no standby: G2.4-a fails, with the reason.
    const ha = page.locator('tr[data-item="G2.4-a"]');
    assert.equal(await ha.getAttribute('data-status'), 'fail');
    await ha.getByText('no synchronous standby').waitFor();
    assert.equal(await page.locator('tr[data-item="G2.1.1-b"] [data-testid=law]').innerText(), 'Mandatory at the five ports');
    await page.getByLabel('Show').selectOption('fail');
    assert.equal(await rows.count(), statuses.filter((x) => x === 'fail').length);

    const form = page.getByTestId('report-form');
    await form.getByLabel('Language').selectOption('ja');
    await form.getByLabel('Format').selectOption('pdf');
    const downloads = [];
    page.on('download', (d) => downloads.push(d));
    await form.getByRole('button', { name: 'Make and download the report' }).click();
    await page.getByTestId('compliance-message').getByText('The report and its signature file were downloaded.').waitFor();
    while (downloads.length < 2) await new Promise((r) => setTimeout(r, 100));
    const report = downloads.find((d) => d.suggestedFilename().endsWith('.pdf'));
    const sig = downloads.find((d) => d.suggestedFilename().endsWith('.pdf.sig'));
    assert.ok(report && sig, downloads.map((d) => d.suggestedFilename()).join(', '));
    const saved = path.join(world.root, report.suggestedFilename());
    await report.saveAs(saved);
    await sig.saveAs(`${saved}.sig`);
    const checked = JSON.parse(run(['compliance', 'verify', saved, '--data', world.data, '--json']));
    assert.equal(checked.lang, 'ja');
    assert.equal(checked.in_log, true);
    assert.equal(checked.generated_by, 'user:auditor');
    assert.match(execFileSync('pdftotext', [saved, '-'], { encoding: 'utf8' }), /コンプライアンス報告書/);
    await page.getByLabel('Show').selectOption('all');
    assert.deepEqual(await axeViolations(page), []);
    await world.screenshot(page, 'compliance-en');
    await noCsp(page);
  });

  test('G1_1 evidence through the intake: refused when infected, counted until withdrawn; in Japanese', async () => {
    const page = await world.page({ locale: 'ja-JP' });
    await world.login(page, 'records');
    await page.goto(`${world.origin}/compliance`);
    const g11 = page.locator('tr[data-item="G1.1"]');
    await g11.waitFor();
    assert.equal(await g11.getAttribute('data-status'), 'evidence-needed');
    await page.getByRole('heading', { level: 1, name: 'コンプライアンス' }).waitFor();
    await page.getByTestId('no-evidence').waitFor();

    const form = page.getByTestId('evidence-form');
    const fill = async (file) => {
      await form.getByRole('combobox', { name: '項目' }).selectOption('G1.1');
      await form.getByLabel('件名', { exact: true }).fill('サーバ室の施錠・監視カメラ・入室者名簿');
      await form.getByLabel('責任者').fill('施設課 佐藤');
      await form.getByLabel('日付', { exact: true }).fill('2026-11-02');
      await form.getByLabel('見直し期限').fill('2099-11-01');
      await form.locator('input[type=file]').setInputFiles(file);
      await form.getByRole('button', { name: '登録' }).click();
    };
    await fill({ name: 'virus.txt', mimeType: 'text/plain', buffer: EICAR });
    await page.getByTestId('evidence-add-error').getByText('virus.txt').waitFor();
    await page.getByTestId('no-evidence').waitFor();
    await fill({ name: 'server-room.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.getByTestId('compliance-message').getByText('G1.1の証跡を登録しました。').waitFor();
    await page.locator('tr[data-item="G1.1"][data-status="pass"]').waitFor();
    const row = page.getByTestId('evidence').locator('tbody tr').first();
    await row.getByText('server-room.pdf').waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await page.evaluate(() => window.scrollTo(0, 0));
    await world.screenshot(page, 'compliance-ja');

    await row.getByLabel('理由').fill('サーバ室を新棟へ移設');
    await row.getByRole('button', { name: '取り下げ' }).click();
    await page.getByTestId('no-evidence').waitFor();
    await page.locator('tr[data-item="G1.1"][data-status="evidence-needed"]').waitFor();
    await noCsp(page);
  });
});
