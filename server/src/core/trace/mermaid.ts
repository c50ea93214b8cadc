/**
 * A sequence diagram as Mermaid `sequenceDiagram` text, for Markdown that renders Mermaid (pull
 * requests, wikis). Participants get plain ids (P0, P1, ...) and their names as aliases, so no
 * name can collide with a keyword (`end`, `loop`, ...) or break the syntax. Arrows: `->>` a
 * request, `-->>` a Package#2 (the HTTP response to the request before it, DM 2.0 5.2.3), `-)` a
 * UDP datagram (Package#0, E.1), `-x` a failure; a note reporting a failure starts with a cross.
 */
import type { SequenceDiagram } from './diagram.js';

/**
 * Text Mermaid reads as written: `#` starts an entity code and `;` ends a statement, so both are
 * written as entity codes (`#35;`, `#59;`), as are the characters HTML gives a meaning to; a line
 * break would end the statement, so it becomes a space. Text starting with `wrap:` or `nowrap:`
 * would be read as a directive, and `%%` as a comment: their first character is a code too.
 */
export function mermaidText(s: string): string {
  return s
    .replace(/[\r\n\u2028\u2029\t]+/g, ' ')
    .trim()
    .replace(/[#;<>"&`{}\\]/g, (c) => `#${c.charCodeAt(0)};`)
    .replace(/^(?:%%|(?:no)?wrap:)/i, (m) => `#${m.charCodeAt(0)};${m.slice(1)}`);
}

export function toMermaid(d: SequenceDiagram): string {
  const out: string[] = ['sequenceDiagram'];
  d.participants.forEach((name, i) => out.push(`  participant P${i} as ${mermaidText(name) || 'unnamed'}`));
  for (const r of d.rows) {
    if (r.type === 'note') {
      const over = r.over.map((i) => `P${i}`).join(',');
      out.push(`  Note over ${over}: ${r.failed ? '❌ ' : ''}${mermaidText(r.text) || ' '}`);
      continue;
    }
    const arrow = r.failed ? '-x' : r.transport === 'udp' ? '-)' : r.response ? '-->>' : '->>';
    const label = mermaidText(r.status ? `${r.label} (${r.status})` : r.label);
    out.push(`  P${r.from}${arrow}P${r.to}: ${label || ' '}`);
  }
  return out.join('\n') + '\n';
}

/** The diagram in a Markdown document, as a fenced `mermaid` block. */
export function toMermaidMarkdown(d: SequenceDiagram, title: string): string {
  const failures = d.failures ? `, ${d.failures} marked failed` : '';
  return `# ${title.replace(/[\r\n]+/g, ' ')}\n\n${d.rows.length} rows between ${d.participants.length} participants${failures}.\n\n\`\`\`mermaid\n${toMermaid(d)}\`\`\`\n`;
}
