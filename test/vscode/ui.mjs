// The UI test: in the code-server workbench with the packaged .vsix installed, a person opens a
// broken delegation message and sees the squiggle, the Problems entry and the hover, applies the
// quick fix, and sees the fault go. Screenshots are saved for the record.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchBrowser } from './code-server.mjs';

const FILE = 'prepared.delegation.xml';
const PROBLEM = "<isDelegationFull> is a boolean: exactly 'true' or 'false'";

export async function runUiTest({ url, folder, shots }) {
  fs.mkdirSync(shots, { recursive: true });
  const t0 = Date.now();
  const step = (msg) => console.log(`  [ui ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);
  const browser = await launchBrowser();
  const page = browser.ctx.pages()[0] ?? (await browser.ctx.newPage());
  try {
    await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    step('workbench rendered');
    const item = page.getByRole('treeitem', { name: FILE, exact: true });
    await item.waitFor({ timeout: 60_000 });
    await item.click();
    await page.waitForSelector('.monaco-editor .view-lines', { timeout: 30_000 });
    step(`${FILE} opened`);

    await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 60_000 });
    step('squiggle under the fault');

    await page.keyboard.press('Control+Shift+M');
    const problem = page.locator('.markers-panel').getByText(PROBLEM);
    await problem.first().waitFor({ timeout: 30_000 });
    step('Problems panel: ' + (await problem.first().textContent()));

    const value = page.locator('.monaco-editor .view-lines span', { hasText: /^True$/ }).first();
    await value.waitFor({ timeout: 10_000 });
    await value.hover();
    await page.locator('.monaco-hover').getByText('is a boolean').first().waitFor({ timeout: 30_000 });
    step('hover shows the diagnostic');
    const name = page.locator('.monaco-editor .view-lines span', { hasText: /^<?isDelegationFull>?$/ }).first();
    await name.hover();
    await page.locator('.monaco-hover').getByText('True if delegation confirmed is full').first().waitFor({ timeout: 30_000 });
    step('hover shows the Table 4 row');
    await page.screenshot({ path: path.join(shots, 'hover.png') });

    // Quick fix: cursor on the value, Ctrl+. and pick the fix.
    await value.click();
    await page.keyboard.press('Control+.');
    const fix = page.locator('.action-widget, .context-view').getByText('Change to true').first();
    await fix.waitFor({ timeout: 30_000 });
    await page.screenshot({ path: path.join(shots, 'quick-fix.png') });
    // The menu takes keys, as a person would use it: the only fix is focused; Enter applies it.
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines span', { hasText: /^true$/ }).first().waitFor({ timeout: 30_000 });
    await page.waitForSelector('.monaco-editor .squiggly-error', { state: 'detached', timeout: 30_000 });
    await page.locator('.markers-panel').getByText(PROBLEM).first().waitFor({ state: 'detached', timeout: 30_000 });
    step('quick fix applied: value is true, squiggle and problem gone');
    await page.screenshot({ path: path.join(shots, 'fixed.png') });

    // A ClientURI resolved against the workspace's sample tree, shown on hover.
    await page.getByRole('treeitem', { name: 'resolve.pkg2.json', exact: true }).click();
    const uri = page.locator('.monaco-editor .view-lines span', { hasText: /oma-dcmo|moid:1\.0\/\(x\)/ }).first();
    await uri.waitFor({ timeout: 30_000 });
    await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ timeout: 60_000 });
    await uri.hover();
    await page.locator('.monaco-hover').getByText(/2 nodes/).first().waitFor({ timeout: 30_000 });
    step('ClientURI hover lists the 2 nodes it addresses in device.dmtree.json');
    await page.screenshot({ path: path.join(shots, 'clienturi-hover.png') });

    // A DM Notification: faults on the hex digits, field names as inlay hints.
    await page.keyboard.press('Escape');
    await page.getByRole('treeitem', { name: 'broken.pkg0.hex', exact: true }).click();
    await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 60_000 });
    await page.locator('.monaco-editor').getByText('PREFERRED-CON-TYPE:').first().waitFor({ timeout: 30_000 });
    step('notification: squiggles on the bytes, inlay hints naming the options');
    await page.screenshot({ path: path.join(shots, 'notification.png') });
    return true;
  } catch (e) {
    console.error('  UI test failed:', e.message);
    await page.screenshot({ path: path.join(shots, 'failure.png') }).catch(() => {});
    return false;
  } finally {
    await browser.close();
  }
}
