/**
 * HTTP authentication as DM 2.0 9.2.1 asks of a DM Server: the Basic and Digest schemes of RFC 2617
 * (X.509 client certificates are the TLS handshake's, checked by the host). Written here because
 * the libraries that exist are middleware bound to a framework or to htpasswd files; this is the
 * RFC's arithmetic over headers: parse a credential, check it, build the challenges.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface Credentials {
  /** User ids and their passwords. */
  users: ReadonlyMap<string, string>;
  realm: string;
  /** Signs nonces, so that no nonce needs to be remembered. */
  secret: string;
}

export type AuthResult = { ok: true; user: string; scheme: 'Basic' | 'Digest' } | { ok: false; reason: string };

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The auth-params of a challenge or credentials: name=token or name="quoted" (RFC 2617 1.2).
 *
 * A name starts only where no name character comes before it: otherwise a long run of name
 * characters with no '=' after it (an Authorization header is what any client sends) is scanned
 * again from each of its characters, quadratic in its length. A match never ends inside a run,
 * so the names found are the same.
 */
export function authParams(s: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /(?<![A-Za-z0-9_-])([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (let m = re.exec(s); m && out.size < 32; m = re.exec(s)) out.set(m[1]!.toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!);
  return out;
}

export function nonce(c: Credentials, now: number): string {
  const t = Math.floor(now / 1000).toString(36);
  return `${t}.${createHmac('sha256', c.secret).update(t).digest('hex').slice(0, 32)}`;
}

function nonceFresh(c: Credentials, n: string, now: number): boolean {
  const [t, mac] = n.split('.');
  if (!t || !mac || !same(mac, createHmac('sha256', c.secret).update(t).digest('hex').slice(0, 32))) return false;
  const age = Math.floor(now / 1000) - parseInt(t, 36);
  return age >= 0 && age < 300;
}

/** Checks an Authorization header for a request (method and request-target as sent). */
export function checkAuthorization(c: Credentials, header: string | undefined, method: string, target: string, now: number): AuthResult {
  if (!header) return { ok: false, reason: 'no credentials' };
  const sp = header.indexOf(' ');
  const scheme = (sp < 0 ? header : header.slice(0, sp)).toLowerCase();
  const rest = sp < 0 ? '' : header.slice(sp + 1).trim();
  if (scheme === 'basic') {
    const decoded = Buffer.from(rest, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { ok: false, reason: 'Basic credentials are user-id:password in base64 (RFC 2617 2)' };
    const user = decoded.slice(0, colon);
    const want = c.users.get(user);
    return want !== undefined && same(want, decoded.slice(colon + 1)) ? { ok: true, user, scheme: 'Basic' } : { ok: false, reason: `wrong user or password for '${user}'` };
  }
  if (scheme === 'digest') {
    const p = authParams(rest);
    const user = p.get('username') ?? '';
    const want = c.users.get(user);
    if (want === undefined) return { ok: false, reason: `unknown user '${user}'` };
    if (p.get('realm') !== c.realm) return { ok: false, reason: 'wrong realm' };
    const n = p.get('nonce') ?? '';
    if (!nonceFresh(c, n, now)) return { ok: false, reason: 'stale or forged nonce' };
    if (p.get('uri') !== target) return { ok: false, reason: 'the digest-uri is not the request-target (RFC 2617 3.2.2.5)' };
    const ha1 = md5(`${user}:${c.realm}:${want}`);
    const ha2 = md5(`${method}:${target}`);
    const qop = p.get('qop');
    const expect = qop === 'auth' ? md5(`${ha1}:${n}:${p.get('nc') ?? ''}:${p.get('cnonce') ?? ''}:auth:${ha2}`) : md5(`${ha1}:${n}:${ha2}`);
    return same(expect, (p.get('response') ?? '').toLowerCase()) ? { ok: true, user, scheme: 'Digest' } : { ok: false, reason: `wrong digest for '${user}'` };
  }
  return { ok: false, reason: `the ${scheme} scheme is not supported; use Basic or Digest (DM 2.0 9.2.1)` };
}

/** The WWW-Authenticate challenges of a 401: Digest and Basic (RFC 2617 3.2.1, 2). */
export function challenges(c: Credentials, now: number): string[] {
  return [`Digest realm="${c.realm}", qop="auth", algorithm=MD5, nonce="${nonce(c, now)}"`, `Basic realm="${c.realm}"`];
}
