/**
 * The Data Repository (DM 2.0 5.1.4, 5.3.1-5.3.3, 5.3.11): where HGET fetches MO data with HTTP GET
 * and HPUT, HPOST and SUB deliver it. Formats are negotiated as 5.5 says: an Accept it cannot meet
 * is a 406, a Content-Type it does not take is a 415 with OMADM-Accept naming what it takes. A
 * ServerURI's parameters (6.2) arrive substituted by the DM Client; a stored item may be written
 * with them (`[DevID]/config`) to answer every device. Storage is a port: files in the host,
 * memory in tests.
 */
import { acceptsMediaType, mediaRanges, mediaType } from '../http/message.js';
import { parsePackage } from '../dm20/model.js';
import { SERVER_URI_PARAMETERS } from '../dm20/serverUri.js';
import { text } from './ports.js';
import { problem, withHeaders, type Outgoing } from './problem.js';

export interface StoredData {
  contentType: string;
  body: Uint8Array;
}

export interface RepositoryStore {
  get(key: string): Promise<StoredData | undefined>;
  /** Replaces the item atomically: a reader sees the old or the new data, never a part. */
  put(key: string, data: StoredData): Promise<void>;
  keys(): Promise<string[]>;
}

/** The formats the mini Data Repository stores, as OMADM-Accept lists them (5.5). */
export const REPOSITORY_FORMATS = ['application/dmmo+json', 'text/plain', 'application/json'];

export class MemoryStore implements RepositoryStore {
  readonly items = new Map<string, StoredData>();
  async get(key: string): Promise<StoredData | undefined> {
    return this.items.get(key);
  }
  async put(key: string, data: StoredData): Promise<void> {
    this.items.set(key, data);
  }
  async keys(): Promise<string[]> {
    return [...this.items.keys()];
  }
}

/** The key of a request-target below the repository's mount: decoded segments, the query kept; '..' and empty names refused. */
export function repositoryKey(pathAndQuery: string): string | undefined {
  const q = pathAndQuery.indexOf('?');
  const path = q < 0 ? pathAndQuery : pathAndQuery.slice(0, q);
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (s === '') continue;
    if (s === '.' || s === '..' || /[\u0000-\u001f\\]/.test(s) || s.includes('/')) return undefined;
    segments.push(s);
  }
  if (segments.length === 0) return undefined;
  const query = q < 0 ? '' : pathAndQuery.slice(q + 1);
  return segments.join('/') + (query ? `?${query}` : '');
}

/**
 * Whether a stored key written with ServerURI parameters ("[DevID]/config") answers a key
 * ("IMEI:1/config"): each parameter stands for any text without '/', '?' or '&'.
 *
 * Every parameter but the last takes the text up to the first place where the text written after
 * it follows, inside a lookahead whose capture is then matched (so it is never tried again): with
 * a plain `[^/?&]*` for each, a key that does not match, a request-target any client sends, was
 * tried at every split among them (cubic for three parameters side by side). The first place is
 * enough: the next parameter takes whatever a later place would have given this one.
 */
function matchesTemplate(template: string, key: string): boolean {
  if (!template.includes('[')) return false;
  const names = Object.keys(SERVER_URI_PARAMETERS).join('|');
  const literal = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const parts = template.split(new RegExp(`\\[(?:${names})\\]`));
  const last = parts.length - 1;
  const re = new RegExp(`^${literal(parts[0]!)}${parts.slice(1, -1).map((p, i) => `(?=([^/?&]*?${literal(p)}))\\${i + 1}`).join('')}${last > 0 ? `[^/?&]*${literal(parts[last]!)}` : ''}$`);
  return re.test(key);
}

export class DataRepository {
  constructor(
    readonly store: RepositoryStore,
    readonly formats: readonly string[] = REPOSITORY_FORMATS,
  ) {}

  async find(key: string): Promise<{ key: string; data: StoredData } | undefined> {
    const exact = await this.store.get(key);
    if (exact) return { key, data: exact };
    const bare = key.split('?')[0]!;
    const plain = bare !== key ? await this.store.get(bare) : undefined;
    if (plain) return { key: bare, data: plain };
    for (const k of await this.store.keys()) {
      if (matchesTemplate(k, key) || matchesTemplate(k, bare)) {
        const d = await this.store.get(k);
        if (d) return { key: k, data: d };
      }
    }
    return undefined;
  }

  async handle(method: string, target: string, headers: Record<string, string>, body: Uint8Array): Promise<Outgoing> {
    const key = repositoryKey(target);
    if (!key) return problem(400, 'Bad repository path', `'${target}' does not name an item of the Data Repository (no empty, '.' or '..' segments).`);
    if (method === 'GET') {
      const found = await this.find(key);
      if (!found) return problem(404, 'Not found', `The Data Repository holds nothing at '${key}'.`);
      const accept = headers.accept;
      if (accept) {
        const ranges = mediaRanges(accept).ranges;
        if (!acceptsMediaType(ranges, found.data.contentType)) return problem(406, 'Not Acceptable', `The item is ${found.data.contentType}; the request accepts ${accept} (DM 2.0 5.5).`);
      }
      return { status: 200, headers: { 'content-type': found.data.contentType }, body: found.data.body };
    }
    if (method === 'PUT' || method === 'POST') {
      const type = mediaType(headers['content-type'] ?? '');
      const omadmAccept = { 'omadm-accept': this.formats.join(', ') };
      if (!this.formats.includes(type)) return withHeaders(problem(415, 'Unsupported Media Type', `The Data Repository stores ${this.formats.join(', ')}, not ${type || 'untyped data'} (DM 2.0 5.5, 5.3.11).`), omadmAccept);
      if (type === 'application/dmmo+json') {
        const parsed = parsePackage(text(body), 'mo');
        if (!parsed.value) return problem(400, 'Invalid MO data', 'The body is not valid MO data (DM 2.0 7.2.1.4).', parsed.diagnostics.filter((d) => d.severity === 'error').slice(0, 20));
      }
      const existed = (await this.store.get(key)) !== undefined;
      await this.store.put(key, { contentType: type, body });
      return { status: method === 'POST' ? 200 : existed ? 204 : 201, headers: omadmAccept, body: new Uint8Array(0) };
    }
    return withHeaders(problem(405, 'Method Not Allowed', `The Data Repository answers GET, PUT and POST, not ${method}.`), { allow: 'GET, PUT, POST' });
  }
}
