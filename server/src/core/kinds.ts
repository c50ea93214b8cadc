/**
 * Which file kind a document is (DESIGN "File kinds"), from its name, its editor language id and
 * its content: recognised without configuration.
 */
import { looksLikeHttp } from './http/message.js';

export type FileKind = 'delegation' | 'http' | 'unknown';

export const DELEGATION_LANGUAGE_ID = 'dm-delegation';
export const HTTP_LANGUAGE_ID = 'dm-http';

/** File names that claim the delegation kind, whatever their root element. */
const DELEGATION_NAME = /\.(delegation|del)\.xml$/i;
/** HTTP exchange fixtures: `.dmhttp` (the product's own), or `.http` files holding an HTTP message. */
const HTTP_NAME = /\.dmhttp$/i;

export interface KindHint {
  fileName?: string;
  languageId?: string;
}

/**
 * The kind, and whether it is claimed (by name or language id, so that content that does not
 * fit is an error) or only guessed from the content (so that it is left alone when it does not).
 */
export function fileKind(text: string, hint: KindHint): { kind: FileKind; claimed: boolean } {
  const name = hint.fileName ?? '';
  if (hint.languageId === DELEGATION_LANGUAGE_ID || DELEGATION_NAME.test(name)) return { kind: 'delegation', claimed: true };
  if (hint.languageId === HTTP_LANGUAGE_ID || HTTP_NAME.test(name)) return { kind: 'http', claimed: true };
  if (/\.xml$/i.test(name) || hint.languageId === 'xml') return { kind: 'delegation', claimed: false };
  if (/\.http$/i.test(name) && looksLikeHttp(text)) return { kind: 'http', claimed: false };
  return { kind: 'unknown', claimed: false };
}
