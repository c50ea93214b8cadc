// The language server in Neovim (a second LSP client, not VS Code's): diagnostics and hover.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES, ROOT } from '../helpers.ts';

test('Neovim gets the diagnostics and the hover of a broken delegation message', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omadm-nvim-'));
  try {
    const file = path.join(dir, 'boolean.xml');
    fs.copyFileSync(path.join(FIXTURES, 'broken', 'boolean.xml'), file);
    const out = path.join(dir, 'result.json');
    const r = spawnSync('nvim', ['--headless', '--clean', '-c', `luafile ${path.join(__dirname, 'client.lua')}`], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, OMADM_FILE: file, OMADM_OUT: out, OMADM_SERVER: path.join(ROOT, 'dist', 'server.js'), OMADM_LINE: '3', OMADM_COL: '5' },
    });
    assert.equal(r.error, undefined, `nvim runs (apt-get install neovim): ${r.error?.message}`);
    const result = JSON.parse(fs.readFileSync(out, 'utf8'));
    assert.equal(result.error, null);
    assert.deepEqual(result.diagnostics.map((d: { lnum: number; col: number; end_col: number; code: string; severity: number }) => [d.code, d.lnum, d.col, d.end_col, d.severity]), [['del.boolean', 3, 20, 24, 1]]);
    assert.match(result.hover, /\*\*isDelegationFull\*\* · boolean/);
    assert.match(result.hover, /Delegation 5\.3\.1\.4, Table 4/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
