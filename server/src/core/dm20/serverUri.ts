/**
 * ServerURI (DM 2.0 6.2): an RFC 3986 URI that may hold parameters in brackets, which the DM
 * Client replaces with its own values before use.
 */
export const SERVER_URI_PARAMETERS: Readonly<Record<string, string>> = {
  DevID: 'Unique identifier of the device: the <x>/DevID node of the DevInfo MO. DM Client support: MUST.',
  MNC: "Home network's Mobile Network Code [3GPP23.003]; -1 when not on a mobile network. MUST.",
  MCC: "Home network's Mobile Country Code [3GPP23.003]; -1 when not on a mobile network. MUST.",
  CMNC: 'Current Mobile Network Code [3GPP23.003]; -1 when not on a mobile network. MUST.',
  CMCC: 'Current Mobile Country Code [3GPP23.003]; -1 when not on a mobile network. MUST.',
  SPName: 'Service Provider Name [3GPP31.102]; -1 when not on a mobile network. MUST.',
};

export interface ServerUriProblem {
  start: number;
  end: number;
  code: string;
  message: string;
}

/** RFC 3986 characters: unreserved, reserved (gen-delims less brackets, sub-delims), and '%'. */
const URI_CHAR = /[A-Za-z0-9\-._~:/?#@!$&'()*+,;=%]/;

export function checkServerUri(text: string): ServerUriProblem[] {
  const out: ServerUriProblem[] = [];
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(text)) {
    out.push({ start: 0, end: text.length, code: 'dm.serveruri', message: `'${text}' is not an absolute URI with a scheme such as https: (DM 2.0 6.2, RFC 3986).` });
    return out;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '[') {
      const close = text.indexOf(']', i);
      const name = close < 0 ? '' : text.slice(i + 1, close);
      if (close < 0) {
        out.push({ start: i, end: text.length, code: 'dm.serveruri', message: "'[' opens a ServerURI parameter that is not closed with ']' (DM 2.0 6.2)." });
        return out;
      }
      if (!Object.prototype.hasOwnProperty.call(SERVER_URI_PARAMETERS, name)) {
        out.push({ start: i, end: close + 1, code: 'dm.serveruri-parameter', message: `[${name}] is not a ServerURI parameter; the DM Client replaces only ${Object.keys(SERVER_URI_PARAMETERS).map((k) => `[${k}]`).join(' ')} (DM 2.0 6.2).` });
      }
      i = close;
      continue;
    }
    if (c === '%' && !/^%[0-9A-Fa-f]{2}/.test(text.slice(i, i + 3))) {
      out.push({ start: i, end: i + 1, code: 'dm.serveruri', message: "'%' starts a percent-encoding of two hex digits (RFC 3986 2.1)." });
      continue;
    }
    if (!URI_CHAR.test(c)) {
      out.push({ start: i, end: i + 1, code: 'dm.serveruri', message: `'${c === ' ' ? 'space' : c}' is not allowed in a URI; percent-encode it (DM 2.0 6.2, RFC 3986).` });
    }
  }
  return out;
}
