/**
 * Text taken from a document (a SERVER-ID, element text, node values) going into Markdown for
 * hovers and previews: it must stay text. Escaped, nothing in it becomes a link, a remote image,
 * HTML, emphasis or a table cell; as code, a fence longer than any backtick run inside keeps it
 * one span. Only what Markdown would read is escaped, since plain-text clients show it raw.
 */
export function mdText(s: string): string {
  const one = s.replace(/\r?\n/g, ' ').replace(/[\\`*_[\]<>|~]/g, '\\$&');
  // Block markup only counts at the start of a line.
  return /^([#+\-=]|\d+\.)/.test(one) ? `\\${one}` : one;
}

export function mdCode(s: string): string {
  const flat = s.replace(/\r?\n/g, ' ');
  const longest = (flat.match(/`+/g) ?? []).reduce((m, r) => Math.max(m, r.length), 0);
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}
