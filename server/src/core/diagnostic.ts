/**
 * The core's own diagnostic: plain data with character offsets into the analysed text. Adapters
 * turn offsets into positions (LSP ranges, 1-based CLI lines and columns). A diagnostic carries
 * its quick fixes, so the knowledge of how to mend a fault lives next to the rule that finds it.
 */
export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The one obvious fix: editors may offer it as the preferred action. */
  preferred?: boolean;
}

export interface Diagnostic {
  start: number;
  end: number;
  severity: Severity;
  /** Stable identifier, e.g. `del.missing-parameter`; documented in README "Diagnostics". */
  code: string;
  message: string;
  fixes?: Fix[];
}

export const SOURCE = 'omadm';

/** Appends many findings without spreading them into one call, which overflows the stack at a few hundred thousand. */
export function pushAll<T>(out: T[], items: readonly T[]): void {
  for (const d of items) out.push(d);
}
