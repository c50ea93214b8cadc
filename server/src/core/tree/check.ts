/**
 * Packages checked against the workspace's sample trees: a ClientURI that resolves to nothing or
 * to an ambiguous set is a warning (fixtures may target other devices), and a Package#3 status
 * that contradicts what the DM Client would answer is a warning too.
 */
import type { Diagnostic } from '../diagnostic.js';
import { type JsonDocument, isObject, own } from '../json/document.js';
import { command as commandInfo, type CommandName } from '../dm20/commands.js';
import { statusText } from '../dm20/statusCodes.js';
import type { PackageKind } from '../dm20/packages.js';
import { type ResolutionContext, resolveIn } from './resolve.js';
import { looksLikeClientUri } from '../dm20/clientUri.js';

/** The sample trees as a device to resolve against (serverId: setting omadm.serverId; ddfs: the shipped standard ones and the workspace's). */
export interface TreeContext extends ResolutionContext {
  /** A description of the tree set, for messages: "2 sample trees". */
  label: string;
}

/** Every ClientURI in a package, with its JSON path and the command it belongs to. */
export function clientUris(kind: PackageKind, value: unknown): { path: (string | number)[]; uri: string; command?: CommandName }[] {
  const out: { path: (string | number)[]; uri: string; command?: CommandName }[] = [];
  if (kind === 'pkg2' && isObject(value) && Array.isArray(own(value, 'CMD'))) {
    (own(value, 'CMD') as unknown[]).forEach((entry, i) => {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string') return;
      const info = commandInfo(entry[0]);
      if (!info) return;
      entry.slice(1).forEach((arg, k) => {
        if (typeof arg === 'string' && looksLikeClientUri(arg)) out.push({ path: ['CMD', i, k + 1], uri: arg, command: info.name });
      });
    });
  }
  const alerts = isObject(value) ? own(value, 'Alert') : undefined;
  if (Array.isArray(alerts)) {
    alerts.forEach((a, i) => {
      for (const key of ['SourceURI', 'TargetURI']) {
        const v = isObject(a) ? own(a, key) : undefined;
        if (typeof v === 'string') out.push({ path: ['Alert', i, key], uri: v });
      }
    });
  }
  if (kind === 'mo') {
    const items = Array.isArray(value) ? value : [value];
    items.forEach((it, i) => {
      const v = isObject(it) ? own(it, 'ClientURI') : undefined;
      if (typeof v === 'string') out.push({ path: Array.isArray(value) ? [i, 'ClientURI'] : ['ClientURI'], uri: v });
    });
  }
  return out;
}

export function checkAgainstTree(doc: JsonDocument, kind: PackageKind, ctx: TreeContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { path, uri, command } of clientUris(kind, doc.value)) {
    const r = resolveIn(ctx, uri, command);
    if (r.status === 404) out.push({ ...doc.range(path), severity: 'warning', code: 'tree.unresolved', message: `In the sample trees (${ctx.label}): ${r.reason}` });
    else if (r.status === 403) out.push({ ...doc.range(path), severity: 'warning', code: 'tree.forbidden', message: `The DM Client would answer 403 Forbidden: ${r.reason}` });
    else if (r.status === 405) out.push({ ...doc.range(path), severity: 'warning', code: 'tree.not-allowed', message: `The DM Client would answer 405 Command Not Allowed: ${r.reason}` });
  }
  return out;
}

/** What the DM Client would answer each command of a Package#2 (for a Package#3 beside it). */
export function predictStatuses(doc: JsonDocument, ctx: TreeContext): (number | undefined)[] {
  const value = doc.value;
  if (!isObject(value) || !Array.isArray(own(value, 'CMD'))) return [];
  return (own(value, 'CMD') as unknown[])
    .filter((e) => !(Array.isArray(e) && e[0] === 'END'))
    .map((entry) => {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string') return undefined;
      const info = commandInfo(entry[0]);
      const uri = entry.slice(1).find((a) => typeof a === 'string' && looksLikeClientUri(a));
      if (!info || typeof uri !== 'string' || !['GET', 'DELETE', 'EXEC'].includes(info.name)) return undefined;
      return resolveIn(ctx, uri, info.name).status;
    });
}

/** Package#3 statuses that contradict the prediction: a 200 where the client would say 404, and so on. */
export function checkPredictedStatuses(doc: JsonDocument, predicted: (number | undefined)[], sibling: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const value = doc.value;
  if (!isObject(value) || !Array.isArray(own(value, 'Status'))) return out;
  (own(value, 'Status') as unknown[]).forEach((s, i) => {
    const sc = isObject(s) ? own(s, 'sc') : typeof s === 'number' ? s : undefined;
    const want = predicted[i];
    if (typeof sc !== 'number' || want === undefined || sc === want) return;
    // Only what a tree shows for certain: a node that is there is not 404; one that is missing,
    // refused or not allowed (by a DDF) cannot succeed. Content (204) and 405 without a DDF are unknowable.
    const success = [200, 204, 304];
    const contradicts = (want === 200 && sc === 404) || ((want === 404 || want === 403) && success.includes(sc)) || (want === 405 && (sc === 200 || sc === 204));
    if (!contradicts) return;
    out.push({ ...doc.range(typeof s === 'number' ? ['Status', i] : ['Status', i, 'sc']), severity: 'warning', code: 'tree.status-prediction', message: `Against the sample trees, command ${i + 1} of ${sibling} would get ${statusText(want)}, not ${statusText(sc)}.` });
  });
  return out;
}
