/**
 * Building delegation messages from the table: skeletons for new files, completion, snippets and
 * quick fixes. Values are the table's examples (Appendix C's where it has them).
 */
import { type DelegationMessage, type Parameter, type Variant, MESSAGES } from './messages.js';

const DMACC_EXAMPLE = [
  '<DMAcc>',
  '  <AppID>w7</AppID>',
  '  <ServerID>DMS-2</ServerID>',
  '  <Name>Delegated DM Server</Name>',
  '  <AppAddr>',
  '    <X>',
  '      <Addr>https://dms-2.example.com/dm</Addr>',
  '      <AddrType>URI</AddrType>',
  '    </X>',
  '  </AppAddr>',
  '  <AAuthPref>HTTP-DIGEST</AAuthPref>',
  '</DMAcc>',
];

/** The value a skeleton gives a parameter: failures get a failure code (400, as the change request advises). */
export function exampleValue(message: DelegationMessage | undefined, p: Parameter): string {
  if (p.name === 'reasonCode' && message?.failure) return '400';
  return p.example;
}

/** One parameter element; `indent` prefixes continuation lines of complex values. */
export function skeletonElement(p: Parameter, indent = '', message?: DelegationMessage): string {
  if (p.type === 'complex') return DMACC_EXAMPLE.join('\n' + indent);
  return `<${p.name}>${exampleValue(message, p)}</${p.name}>`;
}

export interface SkeletonOptions {
  /** Emit VS Code snippet syntax: every value a tab stop. */
  snippet?: boolean;
  /** Prefix with the XML declaration. */
  declaration?: boolean;
  /** Include optional parameters (the conditional DMAcc is included when the example needs it). */
  optional?: boolean;
}

function escapeSnippet(s: string): string {
  return s.replace(/[$}\\]/g, (c) => '\\' + c);
}

/** A whole message with every required element, in table order, as Appendix C lays it out. */
export function skeleton(message: DelegationMessage, variant: Variant = message.variants[0]!, opts: SkeletonOptions = {}): string {
  const lines: string[] = [];
  if (opts.declaration) lines.push('<?xml version="1.0" encoding="UTF-8"?>');
  lines.push(`<${message.root}>`);
  let stop = 1;
  for (const p of variant.parameters) {
    if (!p.required && !opts.optional) continue;
    if (p.type === 'complex') {
      if (opts.optional) lines.push('  ' + skeletonElement(p, '  '));
      continue;
    }
    const example = exampleValue(message, p);
    const value = opts.snippet ? `\${${stop++}:${escapeSnippet(example)}}` : example;
    lines.push(`  <${p.name}>${value}</${p.name}>`);
  }
  lines.push(`</${message.root}>`);
  return lines.join('\n') + (opts.snippet ? '\n$0' : '\n');
}

/** Every message and variant, for pickers and completion lists. */
export function allSkeletonTargets(): { message: DelegationMessage; variant: Variant; label: string }[] {
  return MESSAGES.flatMap((message) =>
    message.variants.map((variant) => ({
      message,
      variant,
      label: message.variants.length > 1 ? `${message.root} (${variant.label}, ${variant.section})` : message.root,
    })),
  );
}
