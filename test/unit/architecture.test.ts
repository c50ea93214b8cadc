// The protocol core knows nothing of VS Code, of LSP or of the network (DESIGN "Layers").
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../helpers.ts';
import { EXCHANGE_SNIPPETS_FILE, PACKAGE_SNIPPETS_FILE, SNIPPETS_FILE, delegationSnippets, dm20ExchangeSnippets, exchangeSnippets, packageSnippets } from '../../scripts/snippets.ts';
import { analyzeText } from '../../server/src/core/analyze.ts';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const FORBIDDEN = /^(vscode|vscode-languageserver.*|vscode-languageclient.*|vscode-jsonrpc|undici|node:(net|http|https|tls|dgram|fs|child_process)|net|http|https|tls|fs|child_process)$/;

test('server/src/core imports nothing from vscode, LSP, the network or the file system', () => {
  const files = sources(path.join(ROOT, 'server', 'src', 'core'));
  assert.ok(files.length > 5);
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    for (const m of text.matchAll(/(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      assert.ok(!FORBIDDEN.test(spec), `${path.relative(ROOT, f)} imports ${spec}`);
      if (spec.startsWith('.')) assert.ok(path.resolve(path.dirname(f), spec).startsWith(path.join(ROOT, 'server', 'src', 'core')), `${path.relative(ROOT, f)} reaches out of the core: ${spec}`);
    }
  }
});

test('sockets live in the host layer only; the language server never runs the emulated parts', () => {
  const NETWORK = /^(undici|busboy|node:(http|https|dgram|net|tls)|http|https|dgram|net|tls)$/;
  const imports = (f: string): string[] => [...fs.readFileSync(f, 'utf8').matchAll(/(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!);
  for (const dir of ['core', 'language', 'lsp', 'cli']) {
    for (const f of sources(path.join(ROOT, 'server', 'src', dir))) {
      for (const spec of imports(f)) assert.ok(!NETWORK.test(spec), `${path.relative(ROOT, f)} imports ${spec}: network I/O belongs in server/src/host`);
    }
  }
  for (const dir of ['language', 'lsp']) {
    for (const f of sources(path.join(ROOT, 'server', 'src', dir))) {
      for (const spec of imports(f)) assert.doesNotMatch(spec, /\/(engine|host\/(dmServerHost|deviceHost|httpClient|udp))/, `${path.relative(ROOT, f)} imports ${spec}`);
    }
  }
});

test('the language service does not depend on the LSP connection', () => {
  for (const f of sources(path.join(ROOT, 'server', 'src', 'language'))) {
    const text = fs.readFileSync(f, 'utf8');
    assert.doesNotMatch(text, /from ['"](vscode|vscode-languageserver(\/node)?)['"]/, path.relative(ROOT, f));
  }
});

test('the snippets file is generated from the message table', () => {
  const onDisk = JSON.parse(fs.readFileSync(path.join(ROOT, SNIPPETS_FILE), 'utf8'));
  assert.deepEqual(onDisk, delegationSnippets(), 'run `npm run snippets`');
  assert.equal(Object.keys(onDisk).length, 16);
  const exchanges = JSON.parse(fs.readFileSync(path.join(ROOT, EXCHANGE_SNIPPETS_FILE), 'utf8'));
  assert.deepEqual(exchanges, { ...exchangeSnippets(), ...dm20ExchangeSnippets() }, 'run `npm run snippets`');
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(ROOT, PACKAGE_SNIPPETS_FILE), 'utf8')), packageSnippets(), 'run `npm run snippets`');
});

test('every DM 2.0 package and exchange snippet, with its placeholders filled, validates clean', () => {
  const fill = (body: string[]): string => body.join('\n').replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$0/g, '');
  const names: Record<string, string> = { 'Package#1': 'x.pkg1.json', 'Package#2': 'x.pkg2.json', 'Package#3': 'x.pkg3.json', 'MO data': 'x.dmmo.json', 'Generic Alert': 'x.alert.json' };
  for (const [name, s] of Object.entries(packageSnippets())) {
    const a = analyzeText(fill(s.body), { fileName: names[name]! });
    assert.ok(a.recognised, name);
    assert.deepEqual(a.diagnostics, [], name);
  }
  for (const [name, s] of Object.entries(dm20ExchangeSnippets())) {
    const a = analyzeText(fill(s.body), { fileName: 'x.dmhttp' });
    assert.ok(a.regions.length >= 1, name);
    assert.deepEqual(a.diagnostics, [], name);
  }
});

test('every HTTP exchange snippet, with its placeholders filled, validates clean', () => {
  const snippets = exchangeSnippets();
  assert.equal(Object.keys(snippets).length, 13);
  for (const [name, s] of Object.entries(snippets)) {
    const text = s.body.join('\n').replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$0/g, '');
    assert.deepEqual(analyzeText(text, { fileName: 'x.dmhttp' }).diagnostics, [], name);
  }
});

test('every file the extension manifest names exists', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const named = [
    // A language entry may only add file names to a language VS Code has (*.dmflow.json are jsonc).
    ...pkg.contributes.languages.filter((l: { id: string }) => l.id.startsWith('dm-')).map((l: { configuration: string }) => l.configuration),
    ...pkg.contributes.grammars.map((g: { path: string }) => g.path),
    ...pkg.contributes.snippets.map((s: { path: string }) => s.path),
  ];
  for (const p of named) assert.ok(fs.existsSync(path.join(ROOT, p)), p);
  for (const g of pkg.contributes.grammars) JSON.parse(fs.readFileSync(path.join(ROOT, g.path), 'utf8'));
});

test('the extension page: its README, icon and language icons are files the .vsix carries', () => {
  const allow = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split('\n').filter((l) => l.startsWith('!')).map((l) => new RegExp(`^${l.slice(1).replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '.*').replace(/\*/g, '[^/]*')}$`));
  const shipped = (f: string): boolean => fs.existsSync(path.join(ROOT, f)) && allow.some((re) => re.test(f));
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { icon: string; scripts: Record<string, string>; contributes: { languages: { id: string; icon?: { light: string; dark: string } }[]; jsonValidation: { url: string }[] } };
  assert.ok(shipped(pkg.icon), pkg.icon);
  // The scenario schema is copied into dist/ by the build.
  for (const v of pkg.contributes.jsonValidation) assert.ok(shipped(v.url.replace(/^\.\//, '')), v.url);
  for (const l of pkg.contributes.languages.filter((x) => x.id.startsWith('dm-'))) for (const f of [l.icon?.light, l.icon?.dark]) assert.ok(f && shipped(f.replace(/^\.\//, '')), String(f));
  const readme = /--readme-path (\S+)/.exec(pkg.scripts.package!)![1]!;
  const text = fs.readFileSync(path.join(ROOT, readme), 'utf8');
  const images = [...text.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
  assert.ok(images.length >= 1);
  for (const img of images) assert.ok(shipped(img), `${img} is in the .vsix`);
});
