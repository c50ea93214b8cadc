/**
 * The package flow of a DM Session (DM 2.0 5.2, Figure 1) as a state machine, the same seen from
 * the DM Client and from the DM Server: Package#1 opens it, each Package#2 answers the package
 * before it, a Package#3 answers a Package#2 unless that one held END (5.2.4, 5.3.9), CONT moves
 * the later Package#3s to a new ServerURI (5.3.8), and a 4xx/5xx or an expired request aborts it
 * for good (5.6). Pure: the engines feed it what they send and receive, and the fixture validator
 * feeds it the messages of a `.dmhttp` file, so both judge a flow by the same rules.
 */
import type { Package2 } from './model.js';

export type SessionState = 'idle' | 'awaiting-package2' | 'processing' | 'ended' | 'aborted';

export interface FlowViolation {
  code: string;
  message: string;
}

export class SessionFlow {
  state: SessionState = 'idle';
  /** Where the next Package#3 goes: the DM Server's URI, or the ServerURI of the last CONT (5.3.8). */
  target: string;
  /** Packages seen, in order, for traces: "package1", "package2", ... */
  readonly packages: string[] = [];
  reason?: string;

  constructor(serverUri: string) {
    this.target = serverUri;
  }

  /** A flow seen from its middle, as a fixture may start: the next package is a Package#2. */
  static midway(serverUri = ''): SessionFlow {
    const f = new SessionFlow(serverUri);
    f.state = 'awaiting-package2';
    return f;
  }

  /** The DM Client sends Package#1 (5.2.2). */
  package1(): FlowViolation | undefined {
    if (this.state !== 'idle') return { code: 'dm.flow-package1', message: `A Package#1 opens a DM Session; this session is ${this.state} (DM 2.0 5.2).` };
    this.packages.push('package1');
    this.state = 'awaiting-package2';
    return undefined;
  }

  /** The DM Server answers with a Package#2 (5.2.3); END ends the session (5.3.9). */
  package2(p: Package2): FlowViolation | undefined {
    if (this.state !== 'awaiting-package2') return { code: 'dm.flow-package2', message: `A Package#2 answers a Package#1 or a Package#3 (DM 2.0 5.2.3); the session is ${this.state}.` };
    this.packages.push('package2');
    this.state = p.commands.some((c) => c.name === 'END') ? 'ended' : 'processing';
    if (this.state === 'ended') this.reason = 'END (DM 2.0 5.3.9)';
    return undefined;
  }

  /** A CONT command moves the session (5.3.8). */
  cont(serverUri: string): void {
    this.target = serverUri;
  }

  /** The DM Client answers with a Package#3 (5.2.4). */
  package3(): FlowViolation | undefined {
    if (this.state === 'ended') return { code: 'dm.package3-after-end', message: 'The Package#2 before it ends the session with END: a Package#3 MUST NOT be sent after it (DM 2.0 5.2.4, 5.3.9).' };
    if (this.state !== 'processing') return { code: 'dm.flow-package3', message: `A Package#3 answers a Package#2 (DM 2.0 5.2.4); the session is ${this.state}.` };
    this.packages.push('package3');
    this.state = 'awaiting-package2';
    return undefined;
  }

  /** A 4xx or 5xx answer, or an expired request: the session is aborted and not retried (5.6). */
  abort(reason: string): void {
    if (this.state === 'ended' || this.state === 'aborted') return;
    this.state = 'aborted';
    this.reason = reason;
  }

  get done(): boolean {
    return this.state === 'ended' || this.state === 'aborted';
  }
}
