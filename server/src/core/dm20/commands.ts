/**
 * DM commands and their parameters: DM 2.0 section 5.3 (one table per command, 5.3.1-5.3.12).
 * A Package#2 `CMD` entry is `[COMMAND, params...]` with the parameters in this order (7.2.1.2).
 */
export type CommandName = 'HGET' | 'HPUT' | 'HPOST' | 'DELETE' | 'EXEC' | 'GET' | 'SHOW' | 'CONT' | 'END' | 'DEFAULT' | 'SUB' | 'UNSUB';

export type ParamFormat = 'ServerURI' | 'ClientURI' | 'MOID';
export type Occurrence = 'One' | 'ZeroOrOne' | 'OneOrMore';

export interface CommandParam {
  name: ParamFormat;
  occurrence: Occurrence;
}

export interface Command {
  name: CommandName;
  section: string;
  description: string;
  params: readonly CommandParam[];
  /** Query fields of 6.1.1.3 this command accepts besides nv. */
  queryFields: readonly ('lv' | 'cv')[];
  /** The logical operation access control checks (10, 12.3). */
  operation?: 'Read' | 'Write' | 'Execute';
}

const p = (name: ParamFormat, occurrence: Occurrence): CommandParam => ({ name, occurrence });

export const COMMANDS: readonly Command[] = [
  { name: 'HGET', section: '5.3.1', description: 'Retrieve data from the Data Repository with HTTP GET, and add or replace it in the DM Tree.', params: [p('ServerURI', 'One'), p('ClientURI', 'ZeroOrOne')], queryFields: [], operation: 'Write' },
  { name: 'HPUT', section: '5.3.2', description: 'Send the data at the ClientURIs to the Data Repository with HTTP PUT.', params: [p('ServerURI', 'One'), p('ClientURI', 'OneOrMore')], queryFields: ['lv', 'cv'], operation: 'Read' },
  { name: 'HPOST', section: '5.3.3', description: 'Send the data at the ClientURIs to the Data Repository with HTTP POST.', params: [p('ServerURI', 'One'), p('ClientURI', 'OneOrMore')], queryFields: ['lv', 'cv'], operation: 'Read' },
  { name: 'DELETE', section: '5.3.4', description: 'Delete the node at the ClientURI, with all its children.', params: [p('ClientURI', 'One')], queryFields: [], operation: 'Write' },
  { name: 'EXEC', section: '5.3.5', description: 'Execute the executable node at the ClientURI; with a ServerURI, report asynchronously (Generic Alert, 5.4.1).', params: [p('ClientURI', 'One'), p('ServerURI', 'ZeroOrOne')], queryFields: [], operation: 'Execute' },
  { name: 'GET', section: '5.3.6', description: 'Return the data at the ClientURI to the DM Server in this DM Session (Appendix F).', params: [p('ClientURI', 'One')], queryFields: ['lv', 'cv'], operation: 'Read' },
  { name: 'SHOW', section: '5.3.7', description: 'Open the Web Browser Component on the ServerURI for a UI session.', params: [p('ServerURI', 'One')], queryFields: [] },
  { name: 'CONT', section: '5.3.8', description: 'Continue the DM Session against the ServerURI: later Package#3s go there.', params: [p('ServerURI', 'One')], queryFields: [] },
  { name: 'END', section: '5.3.9', description: 'Terminate the DM Session; the DM Client processes all commands but returns no Package#3.', params: [], queryFields: [] },
  { name: 'DEFAULT', section: '5.3.10', description: 'Store the ServerURI to fetch configuration for the MOID when the DM Tree lacks it.', params: [p('ServerURI', 'One'), p('MOID', 'One')], queryFields: [] },
  { name: 'SUB', section: '5.3.11', description: 'Report changes in the subtree at the ClientURI with HTTP PUT to the ServerURI.', params: [p('ServerURI', 'One'), p('ClientURI', 'One')], queryFields: [], operation: 'Read' },
  { name: 'UNSUB', section: '5.3.12', description: 'Revoke a previous SUB on the same ClientURI.', params: [p('ClientURI', 'One')], queryFields: [] },
];

const BY_NAME = new Map<string, Command>(COMMANDS.map((c) => [c.name, c]));

export function command(name: string): Command | undefined {
  return BY_NAME.get(name);
}

/** The parameter list as the spec writes it: "ServerURI, ClientURI?" */
export function signature(c: Command): string {
  if (!c.params.length) return 'no parameters';
  return c.params.map((x) => x.name + (x.occurrence === 'ZeroOrOne' ? '?' : x.occurrence === 'OneOrMore' ? '+' : '')).join(', ');
}
