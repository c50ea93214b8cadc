/**
 * What the engines need from the world, as ports: an HTTP client, a clock and a trace sink. The
 * engines (the emulated device, the mini DM Server and its Data Repository) are orchestration over
 * these; the host layer implements them with sockets, the tests and the benchmark in memory, so the
 * same session runs either way.
 */
import type { TraceEvent } from '../trace/events.js';

export type HttpMethod = 'GET' | 'PUT' | 'POST';

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body?: Uint8Array;
  /** A client certificate and key (PEM) for the TLS handshake (DM 2.0 9.2.1). */
  tls?: { cert: string; key: string };
}

export interface HttpResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: Uint8Array;
}

/** An answer, or why there is none: a request that expires or cannot connect (DM 2.0 5.6). */
export type HttpOutcome = { ok: true; response: HttpResponse } | { ok: false; error: string };

export interface HttpPort {
  send(request: HttpRequest): Promise<HttpOutcome>;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export type TraceSink = (event: TraceEvent) => void;

/**
 * The sink of a host that keeps no trace. The engines tell it by identity and then build no
 * events, nor what only events need (a URL's host, a body decoded or parsed again): a fleet of
 * emulated devices would otherwise spend a good part of each session on events nobody reads.
 */
export const NO_TRACE: TraceSink = () => undefined;

const decoder = new TextDecoder();

/** UTF-8 bytes, as a plain Uint8Array; Buffer.from encodes a short text several times faster than a TextEncoder. */
export function utf8(text: string): Uint8Array {
  const b = Buffer.from(text, 'utf8');
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

export function text(bytes: Uint8Array | undefined): string {
  return bytes ? decoder.decode(bytes) : '';
}
