/**
 * The contract between the VS Code client and the language server beyond LSP itself: the names
 * and payload types of the server's custom requests and notifications, and its settings. Both
 * sides import this file (it depends on the protocol's type declarations only), so a name or a
 * payload cannot drift apart: `client.sendRequest(ValidateWorkspaceRequest, {})` is typed end to end.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';

/** Server -> client notification, and client -> server request: the sample trees in use. */
export const TREE_STATUS = 'omadm/treeStatus';
/**
 * Client -> server notification: the omadm.* settings changed. Only for clients without
 * workspace/configuration; the server otherwise asks for the `omadm` section itself.
 */
export const SETTINGS = 'omadm/settings';
/** The configuration section the server reads through workspace/configuration. */
export const SETTINGS_SECTION = 'omadm';

/** Which files get diagnostics: every DM file of the workspace, or the open ones only. */
export type WorkspaceDiagnosticsScope = 'workspace' | 'openFiles';

export interface Settings {
  sampleTrees?: string[];
  serverId?: string;
  /** `omadm.workspaceDiagnostics`: default 'workspace'. */
  workspaceDiagnostics?: WorkspaceDiagnosticsScope;
  /** `omadm.workspaceDiagnosticsMaxFiles`: at most this many closed files are reported (default 5000). */
  workspaceDiagnosticsMaxFiles?: number;
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

export interface SkeletonParams {
  root: string;
  /** The variant's section, for messages with more than one (delegation_revoked). */
  section?: string;
}

export interface DecodeParams {
  /** Hex or base64, possibly inside a WAP Push. */
  text: string;
  secret?: string;
  authData?: string;
}

export interface ConType {
  name: string;
  description: string;
}

export interface ValidateWorkspaceParams {
  /** Only these folders (absolute paths); all workspace folders when absent. */
  folders?: string[];
}

/** What "Validate Workspace" found; the diagnostics themselves arrive as usual (push or pull). */
export interface ValidateWorkspaceResult {
  /** DM files validated. */
  files: number;
  errors: number;
  warnings: number;
  information: number;
  /** Files left out because of `omadm.workspaceDiagnosticsMaxFiles`. */
  skipped: number;
  /** Files with at least one error, workspace-relative where possible. */
  failing: string[];
}

export const MessagesRequest = new RequestType0<MessageChoice[], void>('omadm/messages');
export const SkeletonRequest = new RequestType<SkeletonParams, string | null, void>('omadm/skeleton');
export const DecodeNotificationRequest = new RequestType<DecodeParams, string, void>('omadm/decodeNotification');
export const EncodeNotificationRequest = new RequestType<EncodeArgs, string, void>('omadm/encodeNotification');
export const ConTypesRequest = new RequestType0<ConType[], void>('omadm/notificationConTypes');
export const TreeStatusRequest = new RequestType0<TreeStatus, void>(TREE_STATUS);
export const TreeStatusNotification = new NotificationType<TreeStatus>(TREE_STATUS);
export const SettingsNotification = new NotificationType<Settings>(SETTINGS);
/** The "OMA DM: Validate Workspace" command: every DM file of the workspace, now. */
export const ValidateWorkspaceRequest = new RequestType<ValidateWorkspaceParams, ValidateWorkspaceResult, void>('omadm/validateWorkspace');
