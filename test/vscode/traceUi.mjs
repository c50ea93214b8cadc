// The sequence diagram as a person sees it, in the code-server workbench with the packaged .vsix:
// a trace written by `omadm run` opened from the Explorer with "OMA DM: Open Trace", the diagram
// drawn in its webview (lifelines, labelled arrows, failures in red), a click on an arrow opening
// the message as a document. The screenshot is kept in test-results/vscode, and becomes
// docs/sequence-diagram.png (the README's picture) when that file is missing or
// OMADM_DOCS_SCREENSHOTS=1 asks for a new one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, launchBrowser, until } from './code-server.mjs';

const TRACE = 'failures.trace.jsonl';

export async function runTraceUiTest({ url, folder, shots }) {
  fs.mkdirSync(shots, { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'test', 'fixtures', 'traces', TRACE), path.join(folder, TRACE));
  const t0 = Date.now();
  const step = (msg) => console.log(`  [trace ui ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
  const browser = await launchBrowser();
  const page = browser.ctx.pages()[0] ?? (await browser.ctx.newPage());
  try {
    await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    const item = page.getByRole('treeitem', { name: TRACE, exact: true });
    await item.waitFor({ timeout: 60_000 });
    await item.click();
    await page.waitForSelector('.monaco-editor .view-lines', { timeout: 30_000 });
    step(`${TRACE} opened`);

    // The editor title's button of a trace file.
    const button = page.locator('.editor-actions').getByRole('button', { name: 'Open Trace' });
    await button.waitFor({ timeout: 30_000 });
    await button.click();
    step('Open Trace clicked in the editor title');

    // The webview's document is in a frame of a frame: found by what it holds.
    const frame = await until('the diagram webview', async () => {
      for (const f of page.frames()) {
        if (await f.locator('#rows g.row').count().catch(() => 0)) return f;
      }
      return undefined;
    }, 60_000, 200);
    const rows = await frame.locator('#rows g.row').count();
    const heads = await frame.locator('#heads .head').allTextContents();
    step(`diagram drawn: ${rows} rows in view, lifelines ${heads.join(', ')}`);
    if (heads.join(',') !== 'dms1,dms2,IMEI:493005100592800,phone,dm') throw new Error(`unexpected lifelines: ${heads.join(', ')}`);
    const failed = await frame.locator('#rows g.row.failed').count();
    if (!failed) throw new Error('no failure drawn in red in the first screen');
    const summary = await frame.locator('#summary').textContent();
    step(`summary: ${summary}`);
    await frame.locator('#rows g.row.failed').first().waitFor({ state: 'visible', timeout: 10_000 });
    await page.screenshot({ path: path.join(shots, 'sequence-diagram.png') });
    const docs = path.join(ROOT, 'docs', 'sequence-diagram.png');
    if (!fs.existsSync(docs) || process.env.OMADM_DOCS_SCREENSHOTS === '1') {
      fs.copyFileSync(path.join(shots, 'sequence-diagram.png'), docs);
      step(`screenshot saved as ${path.relative(ROOT, docs)}`);
    }

    // A click on the first Package#2 opens it beside the diagram, as a dm-json document.
    const pkg2 = frame.locator('#rows g.row', { hasText: 'Package#2 (3 commands)' }).first();
    await pkg2.locator('text').first().click();
    await page.getByRole('tab', { name: /-package2\.pkg2\.json/ }).first().waitFor({ timeout: 30_000 });
    step('clicking the Package#2 arrow opened it as a document');
    await page.screenshot({ path: path.join(shots, 'sequence-diagram-message.png') });
    return true;
  } catch (e) {
    console.error('  trace UI test failed:', e.message);
    await page.screenshot({ path: path.join(shots, 'trace-failure.png') }).catch(() => {});
    return false;
  } finally {
    await browser.close();
  }
}
