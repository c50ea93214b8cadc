// Every message, every variant: each rule is triggered by a mutation of the valid skeleton, found
// at the mutated element, and its preferred quick fix gives back a clean message.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { parseXml } from '../../server/src/core/xml/parse.ts';
import { validateDelegation } from '../../server/src/core/delegation/validate.ts';
import { allSkeletonTargets, skeleton } from '../../server/src/core/delegation/build.ts';
import type { Diagnostic } from '../../server/src/core/diagnostic.ts';
import { applyEdits } from '../helpers.ts';

function check(text: string): Diagnostic[] {
  return validateDelegation(text, parseXml(text), { claimed: true }).diagnostics;
}

function fixOnce(text: string, d: Diagnostic): string {
  const fix = d.fixes?.find((f) => f.preferred) ?? d.fixes?.[0];
  assert.ok(fix, `${d.code} has a fix`);
  return applyEdits(text, fix.edits);
}

const targets = allSkeletonTargets();

test('the skeleton of each of the 14 messages (16 variants) validates clean', () => {
  assert.equal(new Set(targets.map((t) => t.message.root)).size, 14);
  assert.equal(targets.length, 16);
  for (const t of targets) assert.deepEqual(check(skeleton(t.message, t.variant)), [], t.label);
});

for (const t of targets) {
  const base = skeleton(t.message, t.variant, { declaration: true });
  const required = t.variant.parameters.filter((p) => p.required);

  test(`${t.label}: each missing parameter is reported on the root and inserted by the fix`, () => {
    for (const p of required) {
      const text = base.replace(new RegExp(`\\n\\s*<${p.name}>[^<]*</${p.name}>`), '');
      const ds = check(text);
      // Without a parameter only one variant has, the message may be another variant, whole
      // (bootstrap_confirmed without isClientBootstapped is Table 9's) or short of its own.
      const inAll = t.message.variants.every((v) => v.parameters.some((x) => x.name === p.name));
      if (!inAll) {
        const left = new Set(t.variant.parameters.filter((x) => x.required && x !== p).map((x) => x.name));
        const isOther = t.message.variants.some((v) => v !== t.variant && v.parameters.filter((x) => x.required).every((x) => left.has(x.name)) && left.size === v.parameters.filter((x) => x.required).length);
        assert.deepEqual(ds.map((d) => d.code), isOther ? [] : ['del.missing-parameter'], p.name);
        continue;
      }
      assert.deepEqual(ds.map((d) => d.code), ['del.missing-parameter'], p.name);
      assert.equal(text.slice(ds[0]!.start, ds[0]!.end), t.message.root);
      assert.match(ds[0]!.message, new RegExp(`<${p.name}>`));
      const fixed = fixOnce(text, ds[0]!);
      assert.deepEqual(check(fixed), [], `${p.name} inserted:\n${fixed}`);
      assert.equal(fixed, base, 'the fix puts the element back where the table has it');
    }
  });

  test(`${t.label}: repeated, unknown, miscased and empty elements`, () => {
    const p = required[required.length - 1]!;
    const el = new RegExp(`<${p.name}>[^<]*</${p.name}>`).exec(base)![0];
    const repeated = base.replace(el, `${el}\n  ${el}`);
    const r = check(repeated);
    assert.deepEqual(r.map((d) => d.code), ['del.repeated-element']);
    assert.equal(r[0]!.start, repeated.lastIndexOf(`<${p.name}>`) + 1);
    assert.deepEqual(check(fixOnce(repeated, r[0]!)), []);

    const unknown = base.replace(el, `${el}\n  <comment>x</comment>`);
    const u = check(unknown);
    assert.deepEqual(u.map((d) => [d.code, unknown.slice(d.start, d.end)]), [['del.unknown-element', 'comment']]);

    const miscased = base.split(p.name).join(p.name.toUpperCase());
    const m = check(miscased);
    const unknownCase = m.find((d) => d.code === 'del.unknown-element')!;
    assert.match(unknownCase.message, /did you mean/);
    assert.deepEqual(check(fixOnce(miscased, unknownCase)), []);

    const empty = base.replace(el, `<${p.name}></${p.name}>`);
    const e = check(empty);
    assert.deepEqual(e.map((d) => d.code), ['del.empty-value']);
    assert.deepEqual(check(fixOnce(empty, e[0]!)), []);
  });

  const status = t.message.status;
  if (status) {
    test(`${t.label}: a status of another message is reported on the value and corrected`, () => {
      const other = status === 'CONFIRMED' ? 'PREPARED' : 'CONFIRMED';
      const text = base.replace(`<status>${status}</status>`, `<status>${other}</status>`);
      const ds = check(text);
      assert.deepEqual(ds.map((d) => [d.code, text.slice(d.start, d.end)]), [['del.status-mismatch', other]]);
      assert.equal(fixOnce(text, ds[0]!), base);
    });
  }

  for (const p of t.variant.parameters.filter((x) => x.type === 'boolean')) {
    test(`${t.label}: ${p.name} must be exactly true or false`, () => {
      const text = base.replace(new RegExp(`<${p.name}>[^<]*<`), `<${p.name}>TRUE<`);
      const ds = check(text);
      assert.deepEqual(ds.map((d) => [d.code, text.slice(d.start, d.end)]), [['del.boolean', 'TRUE']]);
      assert.deepEqual(check(fixOnce(text, ds[0]!)), []);
    });
  }

  if (t.variant.parameters.some((x) => x.name === 'reasonCode')) {
    test(`${t.label}: reasonCode is an integer DM status code`, () => {
      const notInt = base.replace(/<reasonCode>\d+</, '<reasonCode>2OO<');
      assert.deepEqual(check(notInt).map((d) => d.code), ['del.reason-code-type']);
      const unknown = base.replace(/<reasonCode>\d+</, '<reasonCode>299<');
      assert.deepEqual(check(unknown).map((d) => [d.code, d.severity]), [['del.reason-code-unknown', 'warning']]);
      const success = base.replace(/<reasonCode>\d+</, '<reasonCode>200<');
      assert.deepEqual(check(success).map((d) => d.code), t.message.failure ? ['del.reason-code-success'] : []);
    });
  }

  test(`${t.label}: a document cut short anywhere never throws and reports a syntax error`, () => {
    for (let cut = 1; cut < base.length - 2; cut += 7) {
      const ds = check(base.slice(0, cut));
      assert.ok(ds.some((d) => d.code === 'xml.syntax'), `cut at ${cut}`);
    }
  });
}

test('the obsolete draft names are named with their replacement, and the fix renames both tags', () => {
  const cases: [string, string][] = [
    ['DELEGATION_NOTIF', 'delegation_req'],
    ['DELEGATION_RES', 'delegation_resp'],
    ['DELEGATION_START', 'bootstrap_confirmed'],
    ['DELEGATION_CONFIRM', 'delegation_confirmed'],
  ];
  for (const [draft, root] of cases) {
    const t = targets.find((x) => x.message.root === root && x.variant === x.message.variants[x.message.variants.length - 1])!;
    const good = skeleton(t.message, t.variant);
    const text = good.split(root).join(draft);
    const ds = check(text);
    assert.deepEqual(ds.map((d) => d.code), ['del.obsolete-message'], draft);
    assert.match(ds[0]!.message, new RegExp(`${draft}.*replaced it with ${t.message.name}`));
    assert.equal(fixOnce(text, ds[0]!), good);
  }
});

test('bootstrap_confirmed: DMAcc needed when the client is not bootstrapped, and unused when it is', () => {
  const t = targets.find((x) => x.message.root === 'bootstrap_confirmed' && x.variant.section === '5.3.1.3')!;
  const bootstrapped = skeleton(t.message, t.variant);
  const notYet = bootstrapped.replace('<isClientBootstapped>true<', '<isClientBootstapped>false<');
  const ds = check(notYet);
  assert.deepEqual(ds.map((d) => [d.code, notYet.slice(d.start, d.end)]), [['del.dmacc-required', 'false']]);
  const withDmAcc = fixOnce(notYet, ds[0]!);
  assert.deepEqual(check(withDmAcc), [], withDmAcc);
  const both = withDmAcc.replace('<isClientBootstapped>false<', '<isClientBootstapped>true<');
  const w = check(both);
  assert.deepEqual(w.map((d) => [d.code, d.severity]), [['del.dmacc-unexpected', 'warning']]);
  assert.equal(fixOnce(both, w[0]!), bootstrapped);
});

test('Table 16: DELEGATION_REVOCATION_REQ carries DEL_TERM_REQ, and a guessed status is explained', () => {
  const t = targets.find((x) => x.message.root === 'delegation_revocation_req')!;
  const good = skeleton(t.message, t.variant);
  assert.match(good, /<status>DEL_TERM_REQ<\/status>/);
  const ds = check(good.replace('DEL_TERM_REQ', 'DEL_REVOCATION_REQ'));
  assert.match(ds[0]!.message, /Table 16 gives this message the status value DEL_TERM_REQ/);
});

test('hostile input: prototype keys, huge values and junk are plain data', () => {
  const t = targets.find((x) => x.message.root === 'delegation_failure')!;
  const good = skeleton(t.message, t.variant);
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    const ds = check(good.replace('</delegation_failure>', `<${name}>1</${name}></delegation_failure>`));
    assert.deepEqual(ds.map((d) => d.code), ['del.unknown-element'], name);
    assert.deepEqual(check(`<${name}/>`).map((d) => d.code), ['del.not-a-message'], name);
  }
  const huge = good.replace('ABCDERFGHCHDJKD', 'x'.repeat(2_000_000));
  assert.deepEqual(check(huge), []);
});
