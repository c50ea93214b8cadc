/**
 * Trace events: one per package, HTTP exchange or datagram, as `omadm session --json` prints them
 * and the DM Sessions view lists them: who sent what to whom, over which transport, with its
 * status, and the correlation ids (the DM Session, the NOTIFICATION-ID of Package#0).
 */
export type TraceKind = 'package0' | 'package1' | 'package2' | 'package3' | 'http' | 'note';

export interface TraceEvent {
  /** Milliseconds since the epoch, from the engine's clock. */
  time: number;
  from: string;
  to: string;
  transport: 'http' | 'udp' | 'local';
  kind: TraceKind;
  method?: string;
  url?: string;
  /** The HTTP status of the exchange; for a Package#2, the status of the response carrying it. */
  status?: number;
  contentType?: string;
  /** Packages: the parsed JSON (for a multipart Package#3, the Package#3 part); other exchanges: the text. */
  body?: unknown;
  /** Extra text for people: why a notification was dropped, what a command did. */
  note?: string;
  sessionId?: string;
  /** The scenario step (0-based) during which it happened, in a scenario's trace. */
  step?: number;
  notificationId?: number;
  /** Milliseconds the exchange took. */
  duration?: number;
  /** What an HTTP exchange sent (HPUT/HPOST/SUB data), as text. */
  requestBody?: string;
  /** The HTTP headers sent (lower-case names), for opening the exchange as a document. */
  headers?: Record<string, string>;
  /** Multipart parts after the Package#3 (Appendix F): name, Content-Type, text. */
  parts?: { name?: string; contentType: string; body: string }[];
}

/** One line for people: "device -> dm-server  Package#1 POST http://.../dm  200". */
export function formatEvent(e: TraceEvent): string {
  const what = e.kind === 'http' ? `${e.method ?? ''} ${e.url ?? ''}`.trim() : e.kind === 'note' ? '' : `${e.kind.replace('package', 'Package#')}${e.method ? ` ${e.method}` : ''}${e.url ? ` ${e.url}` : ''}`;
  const status = e.status !== undefined ? `  ${e.status}` : '';
  const note = e.note ? `  (${e.note})` : '';
  return `${e.from} -> ${e.to}  ${what}${status}${note}`.replace(/ {3,}/g, '  ');
}

/**
 * One name per participant: the host:port or SERVER-ID an event names a part by, replaced by the
 * name the run gave that part (`dms1`, a scenario's participant id), so a diagram draws one
 * lifeline per part.
 */
export function renamed(e: TraceEvent, names: ReadonlyMap<string, string>): TraceEvent {
  const from = names.get(e.from);
  const to = names.get(e.to);
  return from === undefined && to === undefined ? e : { ...e, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

/**
 * Whether an event is a DM Server's own view of a package exchange. When the run's devices are
 * emulated too, each exchange is traced by the device that made it (with its status and
 * duration); the server's view of it would draw every package twice.
 */
export function serverSideOfExchange(e: TraceEvent): boolean {
  return e.kind === 'package1' || e.kind === 'package2' || e.kind === 'package3';
}
