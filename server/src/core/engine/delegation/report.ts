/**
 * The conformance report of a delegation peer pointed at somebody else's DMS-1 or DMS-2: per SCR
 * item of Delegation Appendix B (DM-DEL-S-001..008) what was observed of the other side, and per
 * message what was sent, received, and what was missing or wrong (the validator's words cite the
 * table row). As JSON for tools and as Markdown for people.
 */
import type { DelegationRecord, MessageRecord, Peer } from './peer.js';

export type Verdict = 'pass' | 'fail' | 'not observed';

export interface ScrItem {
  id: string;
  requirement: string;
  verdict: Verdict;
  evidence: string;
}

export interface ConformanceReport {
  peer: string;
  otherPeer: string;
  items: ScrItem[];
  sessions: DelegationRecord[];
  rejected: MessageRecord[];
}

const FAILURE_ROOTS = new Set(['delegation_failure', 'revocation_failure']);

export function conformance(peer: Peer, otherPeerUrl: string): ConformanceReport {
  const sessions = [...peer.sessions.values()];
  const all = sessions.flatMap((s) => s.messages);
  const received = all.filter((m) => m.direction === 'received');
  const sent = all.filter((m) => m.direction === 'sent');
  const tlsErrors = sent.filter((m) => m.problems.some((p) => /certificate|handshake|TLS|SSL|ALTNAME|self.signed|UNABLE_TO/i.test(p)));
  const delivered = sent.filter((m) => m.status !== undefined);
  const item = (id: string, requirement: string, verdict: Verdict, evidence: string): ScrItem => ({ id, requirement, verdict, evidence });
  const afterFailure = sessions.filter((s) => {
    const i = s.messages.findIndex((m) => FAILURE_ROOTS.has(m.root));
    return i >= 0 && s.messages.slice(i + 1).some((m) => m.direction === 'received' && !FAILURE_ROOTS.has(m.root));
  });
  const failedThenOk = sessions.some((s, i) => s.state === 'failed' && sessions.slice(i + 1).some((t) => t.state === 'completed'));
  const revokedNotified = sessions.filter((s) => s.state === 'revoked');
  let urlOk: boolean;
  try {
    const u = new URL(otherPeerUrl);
    urlOk = u.protocol === 'https:' && u.pathname.length > 1 && !u.pathname.endsWith('/');
  } catch {
    urlOk = false;
  }
  return {
    peer: peer.name,
    otherPeer: otherPeerUrl,
    items: [
      item('DM-DEL-S-001', 'X.509 certificate based mutual authentication on TLS (5.2.1.1)', tlsErrors.length ? 'fail' : delivered.length ? 'pass' : 'not observed', tlsErrors.length ? tlsErrors.map((m) => m.problems.join('; ')).join(' | ') : `${delivered.length} message(s) delivered over mutual TLS`),
      item('DM-DEL-S-002', 'the interface and the specified parameters (5.3, Tables 1-18)', peer.rejected.some((m) => m.status === 400) ? 'fail' : received.length ? 'pass' : 'not observed', peer.rejected.filter((m) => m.status === 400).map((m) => `${m.root}: ${m.problems.join('; ')}`).join(' | ') || `${received.length} message(s) received, each valid`),
      item('DM-DEL-S-003', 'immediate termination of the delegation process on a failure (5.3)', afterFailure.length ? 'fail' : sessions.some((s) => s.messages.some((m) => FAILURE_ROOTS.has(m.root))) ? 'pass' : 'not observed', afterFailure.length ? `messages after a failure in ${afterFailure.map((s) => s.sessionId).join(', ')}` : 'no message followed a failure'),
      item('DM-DEL-S-004', 'undo all changes to the DM Client on a failure (5.3)', 'not observed', 'seen on the DM Client only: run the flow with the emulated device and compare its tree'),
      item('DM-DEL-S-005', 'restart of the delegation process after a failure (5.3)', failedThenOk ? 'pass' : 'not observed', failedThenOk ? 'a delegation completed after a failed one' : 'no restart seen'),
      item('DM-DEL-S-006', 'notification of the delegated server on a revocation (5.2.3-5.2.5)', revokedNotified.length ? 'pass' : 'not observed', revokedNotified.length ? `DELEGATION_REVOKED in ${revokedNotified.map((s) => s.sessionId).join(', ')}` : 'no revocation seen'),
      item('DM-DEL-S-007', 'HTTP POST with application/vnd.dm.delegation+xml (5.3)', peer.rejected.some((m) => m.status === 405 || m.status === 415) ? 'fail' : received.length ? 'pass' : 'not observed', peer.rejected.filter((m) => m.status !== 400).map((m) => m.problems.join('; ')).join(' | ') || 'every request was a POST of the delegation media type'),
      item('DM-DEL-S-008', 'target URL https://<host>[:<port>][...]/<interface_name> (5.3)', urlOk ? 'pass' : 'fail', otherPeerUrl),
    ],
    sessions,
    rejected: peer.rejected,
  };
}

export function reportMarkdown(r: ConformanceReport): string {
  const esc = (s: string): string => s.replace(/[|\\`*_[\]<>]/g, (c) => `\\${c}`).replace(/\n/g, ' ');
  const lines = [`# Delegation conformance: ${r.peer} against ${esc(r.otherPeer)}`, '', '| SCR item | requirement | verdict | evidence |', '| --- | --- | --- | --- |'];
  for (const i of r.items) lines.push(`| ${i.id} | ${esc(i.requirement)} | ${i.verdict} | ${esc(i.evidence)} |`);
  lines.push('', '## Messages', '');
  for (const s of r.sessions) {
    lines.push(`### ${esc(s.sessionId)} (${s.flow || 'flow'}): ${s.state}${s.reason ? `, ${esc(s.reason)}` : ''}`, '');
    for (const m of s.messages) lines.push(`- ${m.direction} ${m.root}${m.status !== undefined ? ` (HTTP ${m.status})` : ''}${m.problems.length ? `: ${esc(m.problems.join('; '))}` : ''}`);
    lines.push('');
  }
  if (r.rejected.length) {
    lines.push('## Refused requests', '');
    for (const m of r.rejected) lines.push(`- ${m.root} (HTTP ${m.status ?? '-'}): ${esc(m.problems.join('; '))}`);
  }
  return lines.join('\n') + '\n';
}
