/**
 * The contract between the VS Code client and the language server beyond LSP itself: the names of
 * the server's commands and custom messages, and their payloads. Both sides import this file (it
 * has no dependencies), so a name cannot drift apart.
 */
export const COMMANDS = {
  skeleton: 'omadm.server.skeleton',
  messages: 'omadm.server.messages',
  decodeNotification: 'omadm.server.decodeNotification',
  encodeNotification: 'omadm.server.encodeNotification',
  notificationConTypes: 'omadm.server.notificationConTypes',
} as const;

/** Server -> client notification, and client -> server request: the sample trees in use. */
export const TREE_STATUS = 'omadm/treeStatus';
/** Client -> server notification: the omadm.* settings changed. */
export const SETTINGS = 'omadm/settings';

export interface Settings {
  sampleTrees?: string[];
  serverId?: string;
}

export interface TreeStatus {
  files: string[];
  instances: number;
  serverId?: string;
}

export interface MessageChoice {
  label: string;
  root: string;
  section: string;
  detail: string;
}

export interface EncodeArgs {
  serverId?: string;
  notificationId?: number;
  conTypes?: string[];
  timestamp?: number;
  reqMos?: boolean;
  secret?: string;
  authData?: string;
}
