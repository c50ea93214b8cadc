/**
 * The body of a Package#3 that carries GET data (DM 2.0 Appendix F): multipart/form-data whose
 * first encapsulation is the Package#3 and then one encapsulation per GET answered 200, named by
 * the index of its status (from 0). Without data, the plain Package#3 media type is used instead.
 * Written here because the form-data writers that exist (undici's FormData) require a name on
 * every part, and Appendix F's first part has none.
 */
import { PACKAGES } from './packages.js';

export interface DataPart {
  /** The index of the GET's status in the Package#3. */
  name: string;
  contentType: string;
  body: string;
}

export interface Package3Body {
  contentType: string;
  body: string;
}

export function package3Body(package3Json: string, parts: readonly DataPart[], boundary: string): Package3Body {
  const type = PACKAGES.pkg3.mediaType!;
  if (parts.length === 0) return { contentType: type, body: package3Json };
  if (!/^[0-9A-Za-z'()+_,\-./:=?]{1,69}[0-9A-Za-z'()+_,\-./:=?]$/.test(boundary)) throw new RangeError(`'${boundary}' is not a valid multipart boundary (RFC 2046 5.1.1)`);
  const crlf = '\r\n';
  let body = `--${boundary}${crlf}Content-Disposition: form-data${crlf}Content-Type: ${type}${crlf}${crlf}${package3Json}${crlf}`;
  for (const p of parts) {
    if (p.body.includes(`--${boundary}`)) throw new RangeError('a part holds the boundary');
    body += `--${boundary}${crlf}Content-Disposition: form-data; name="${p.name}"${crlf}Content-Type: ${p.contentType}${crlf}${crlf}${p.body}${crlf}`;
  }
  body += `--${boundary}--${crlf}`;
  return { contentType: `multipart/form-data; boundary=${boundary}`, body };
}
