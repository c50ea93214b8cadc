/**
 * Which file kind a document is (DESIGN "File kinds"), from its name, its editor language id and
 * its content: recognised without configuration.
 */
import { looksLikeHttp } from './http/message.js';
import { type PackageKind, kindByName } from './dm20/packages.js';

export type FileKind = 'delegation' | 'http' | 'package' | 'notification' | 'ddf' | 'unknown';

export const DELEGATION_LANGUAGE_ID = 'dm-delegation';
export const HTTP_LANGUAGE_ID = 'dm-http';
export const PACKAGE_LANGUAGE_ID = 'dm-json';
export const NOTIFICATION_LANGUAGE_ID = 'dm-notification';

/** File names that claim the delegation kind, whatever their root element. */
const DELEGATION_NAME = /\.(delegation|del)\.xml$/i;
/** HTTP exchange fixtures: `.dmhttp` (the product's own), or `.http` files holding an HTTP message. */
const HTTP_NAME = /\.dmhttp$/i;

export interface KindHint {
  fileName?: string;
  languageId?: string;
}

export interface KindResult {
  kind: FileKind;
  /**
   * Claimed by name or language id, so that content that does not fit is an error; otherwise only
   * guessed from the content, and left alone when it does not fit.
   */
  claimed: boolean;
  /** For DM 2.0 packages named *.pkg1.json and the like: which package. */
  packageKind?: PackageKind;
}

export function fileKind(text: string, hint: KindHint): KindResult {
  const name = hint.fileName ?? '';
  if (hint.languageId === DELEGATION_LANGUAGE_ID || DELEGATION_NAME.test(name)) return { kind: 'delegation', claimed: true };
  if (hint.languageId === HTTP_LANGUAGE_ID || HTTP_NAME.test(name)) return { kind: 'http', claimed: true };
  if (/\.ddf$/i.test(name)) return { kind: 'ddf', claimed: true };
  if (hint.languageId === NOTIFICATION_LANGUAGE_ID || /\.pkg0(\.hex)?$/i.test(name)) return { kind: 'notification', claimed: true };
  const byName = kindByName(name);
  if (byName) return { kind: 'package', claimed: true, packageKind: byName };
  if (/\.json$/i.test(name) || hint.languageId === 'json' || hint.languageId === PACKAGE_LANGUAGE_ID) return { kind: 'package', claimed: false };
  if (/\.xml$/i.test(name) || hint.languageId === 'xml') return { kind: 'delegation', claimed: false };
  if (/\.http$/i.test(name) && looksLikeHttp(text)) return { kind: 'http', claimed: false };
  return { kind: 'unknown', claimed: false };
}
