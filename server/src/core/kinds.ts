/**
 * Which file kind a document is (DESIGN "File kinds"), from its name, its editor language id and
 * its content: recognised without configuration.
 */
import { looksLikeHttp } from './http/message.js';
import { declarationEnd } from './xml/parse.js';
import { type PackageKind, kindByName } from './dm20/packages.js';
import { isObject, own } from './json/document.js';
import { command } from './dm20/commands.js';
import { isApplicationSpecific, statusCode } from './dm20/statusCodes.js';
import { looksLikeClientUri } from './dm20/clientUri.js';

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

/** How much of an unclaimed `.xml` or `.json` file is read to decide whether it is ours. */
export const SNIFF_LENGTH = 4096;

/**
 * The name of the root element of an XML text, read from its beginning only: the XML declaration,
 * comments, processing instructions and a DOCTYPE (XML 1.0 §2.8 prolog) are stepped over without
 * parsing the rest. Undefined when the text does not start like XML or the prolog runs past
 * `limit` characters.
 */
export function sniffXmlRoot(text: string, limit = 65536): string | undefined {
  const end = Math.min(text.length, limit);
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const skip = (close: string): boolean => {
    const at = text.indexOf(close, i);
    if (at < 0 || at >= end) return false;
    i = at + close.length;
    return true;
  };
  while (i < end) {
    while (i < end && /\s/.test(text[i]!)) i++;
    if (i >= end || text[i] !== '<') return undefined;
    if (text.startsWith('<?', i)) {
      if (!skip('?>')) return undefined;
    } else if (text.startsWith('<!--', i)) {
      if (!skip('-->')) return undefined;
    } else if (text.startsWith('<!', i)) {
      // <!DOCTYPE name [ internal subset ]>: brackets and quoted strings may hold '>'.
      i = declarationEnd(text, i + 2, end);
      if (i >= end) return undefined;
      i++;
    } else {
      const m = /^<([^\s/>]+)/.exec(text.slice(i, Math.min(end, i + 256)));
      return m?.[1];
    }
  }
  return undefined;
}

/** The top-level names of the DM 2.0 packages (7.2.1): an unclaimed `.json` that names none of them near its start is not read further. */
const PACKAGE_KEY = /"(?:CMD|Status|MOS|Alert|ClientURI|MOData)"\s*:/;

/** Whether the beginning of a JSON text could be a DM 2.0 package: it opens an object or array and names a package key. */
export function sniffJsonPackage(text: string): boolean {
  const head = text.slice(0, SNIFF_LENGTH);
  const first = /\S/.exec(head);
  if (!first || (first[0] !== '{' && first[0] !== '[')) return false;
  return PACKAGE_KEY.test(head);
}

const only = (o: Record<string, unknown>, allowed: string[]): boolean => Object.keys(o).every((k) => allowed.includes(k));
const nonEmptyArray = (v: unknown): v is unknown[] => Array.isArray(v) && v.length > 0;

/**
 * The package a JSON value is, when its content says so beyond a key name (DESIGN "File kinds"):
 * a file that is not named as a package is taken for one only on this evidence, since an
 * ordinary configuration file may have a `CMD` or a `Status` key.
 * - Package#2 (7.2.1.2): `CMD` is the only key; every entry is `[name, ...]` and at least half
 *   of the names are DM commands of 5.3 (in any case: a misspelling is still a Package#2).
 * - Package#3 (7.2.1.3): only `Status` and `Alert`; every status is a code, a URI string after
 *   it (the form of Appendix F) or `{"sc": code}`, and at least one code is of Appendix C.
 * - Package#1 (7.2.1.1): only `MOS` and `Alert`, with MOS items naming an MOID or a DDF and
 *   alerts naming their AlertType.
 * - MO data (7.2.1.4): a non-empty array of `{ClientURI, MOData}` whose ClientURIs look like ones.
 */
export function kindByEvidence(value: unknown): PackageKind | undefined {
  if (Array.isArray(value)) {
    const ok = value.length > 0 && value.every((x) => isObject(x) && typeof own(x, 'ClientURI') === 'string' && looksLikeMoUri(own(x, 'ClientURI') as string) && isObject(own(x, 'MOData')));
    return ok ? 'mo' : undefined;
  }
  if (!isObject(value)) return undefined;
  const cmd = own(value, 'CMD');
  if (cmd !== undefined) {
    if (!only(value, ['CMD']) || !nonEmptyArray(cmd)) return undefined;
    if (!cmd.every((e) => Array.isArray(e) && typeof e[0] === 'string')) return undefined;
    const known = cmd.filter((e) => command(String((e as unknown[])[0]).toUpperCase())).length;
    return known * 2 >= cmd.length ? 'pkg2' : undefined;
  }
  const status = own(value, 'Status');
  if (status !== undefined) {
    if (!only(value, ['Status', 'Alert']) || !nonEmptyArray(status)) return undefined;
    const code = (s: unknown): number | undefined => (typeof s === 'number' ? s : isObject(s) && typeof own(s, 'sc') === 'number' ? (own(s, 'sc') as number) : undefined);
    if (!status.every((s) => code(s) !== undefined || typeof s === 'string')) return undefined;
    const known = (c: number | undefined): boolean => c !== undefined && (!!statusCode(c) || isApplicationSpecific(c));
    return status.some((s) => known(code(s))) ? 'pkg3' : undefined;
  }
  if (!only(value, ['MOS', 'Alert']) || Object.keys(value).length === 0) return undefined;
  const mos = own(value, 'MOS');
  const alerts = own(value, 'Alert');
  if (mos !== undefined && !(nonEmptyArray(mos) && mos.every((m) => isObject(m) && (typeof own(m, 'MOID') === 'string' || typeof own(m, 'DDF') === 'string')))) return undefined;
  if (alerts !== undefined && !(nonEmptyArray(alerts) && alerts.every((a) => isObject(a) && typeof own(a, 'AlertType') === 'string'))) return undefined;
  return 'pkg1';
}

function looksLikeMoUri(v: string): boolean {
  return looksLikeClientUri(v) || /^(urn:)?oma:mo:/i.test(v);
}
