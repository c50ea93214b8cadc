/**
 * A sequence diagram as a standalone SVG document (SVG 1.1, no script, no external resource), for
 * documentation and pull requests: a box and a dashed lifeline per participant, a row per arrow
 * or note, failures in red. Every piece of text is escaped for XML and has the characters XML 1.0
 * does not allow (2.2, Char) removed; a label too long for the space between its lifelines is
 * cut, the whole of it kept in a <title> that viewers show as a tooltip.
 */
import { type SequenceDiagram, clip } from './diagram.js';

export const SVG_LAYOUT = { column: 190, row: 30, head: 44, margin: 16, charWidth: 6.6 } as const;

const COLORS = { line: '#6e7781', text: '#1f2328', box: '#f6f8fa', failed: '#cf222e', note: '#fff8c5', noteBorder: '#d4a72c' };

/** Text as XML character data or an attribute value: markup escaped, characters XML forbids dropped. */
export function xmlText(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function toSvg(d: SequenceDiagram, title = 'Sequence diagram'): string {
  const L = SVG_LAYOUT;
  const n = Math.max(d.participants.length, 1);
  const width = L.margin * 2 + n * L.column;
  const height = L.margin * 2 + L.head + d.rows.length * L.row + L.row / 2;
  const x = (i: number): number => L.margin + i * L.column + L.column / 2;
  const y = (r: number): number => L.margin + L.head + r * L.row + L.row / 2;
  const fit = (s: string, px: number): string => clip(s, Math.max(8, Math.floor(px / L.charWidth)));
  const out: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${xmlText(title)}</title>`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${COLORS.line}"/></marker>`,
    `<marker id="arrow-failed" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${COLORS.failed}"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
  ];
  const bottom = height - L.margin;
  d.participants.forEach((name, i) => {
    out.push(`<line x1="${x(i)}" y1="${L.margin + L.head - 8}" x2="${x(i)}" y2="${bottom}" stroke="${COLORS.line}" stroke-dasharray="4 4"/>`);
    out.push(`<rect x="${x(i) - L.column / 2 + 8}" y="${L.margin}" width="${L.column - 16}" height="${L.head - 12}" rx="4" fill="${COLORS.box}" stroke="${COLORS.line}"><title>${xmlText(name)}</title></rect>`);
    out.push(`<text x="${x(i)}" y="${L.margin + (L.head - 12) / 2 + 4}" text-anchor="middle" font-weight="600" fill="${COLORS.text}">${xmlText(fit(name, L.column - 24))}</text>`);
  });
  d.rows.forEach((r, k) => {
    const cy = y(k);
    if (r.type === 'note') {
      // A note over one lifeline takes some of its neighbours' room, as in Mermaid; over two, the span between them.
      const half = r.over.length > 1 ? L.column / 2 - 12 : L.column * 0.8;
      const left = Math.max(L.margin / 2, Math.min(...r.over.map(x)) - half);
      const right = Math.min(width - L.margin / 2, Math.max(...r.over.map(x)) + half);
      const border = r.failed ? COLORS.failed : COLORS.noteBorder;
      out.push(`<g><title>${xmlText(r.text)}</title><rect x="${left}" y="${cy - L.row / 2 + 4}" width="${right - left}" height="${L.row - 8}" fill="${COLORS.note}" stroke="${border}"/>`);
      out.push(`<text x="${(left + right) / 2}" y="${cy + 4}" text-anchor="middle" fill="${r.failed ? COLORS.failed : COLORS.text}">${xmlText(fit(r.text, right - left - 8))}</text></g>`);
      return;
    }
    const color = r.failed ? COLORS.failed : COLORS.line;
    const marker = r.failed ? 'url(#arrow-failed)' : 'url(#arrow)';
    const dash = r.response ? ' stroke-dasharray="6 3"' : r.transport === 'udp' ? ' stroke-dasharray="2 3"' : '';
    const label = r.status ? `${r.label} · ${r.status}` : r.label;
    const x1 = x(r.from);
    const x2 = x(r.to);
    out.push(`<g${r.failed ? ' class="failed"' : ''}><title>${xmlText(label)}</title>`);
    if (r.from === r.to) {
      // A message to itself: a loop to the right of its lifeline.
      out.push(`<path d="M${x1},${cy - 4} h28 v10 h-28" fill="none" stroke="${color}"${dash} marker-end="${marker}"/>`);
      out.push(`<text x="${x1 + 34}" y="${cy + 4}" fill="${r.failed ? COLORS.failed : COLORS.text}">${xmlText(fit(label, L.column - 40))}</text></g>`);
      return;
    }
    out.push(`<line x1="${x1}" y1="${cy + 6}" x2="${x2}" y2="${cy + 6}" stroke="${color}" stroke-width="${r.failed ? 2 : 1.2}"${dash} marker-end="${marker}"/>`);
    out.push(`<text x="${(x1 + x2) / 2}" y="${cy}" text-anchor="middle" fill="${r.failed ? COLORS.failed : COLORS.text}">${xmlText(fit(label, Math.abs(x2 - x1) - 12))}</text></g>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
