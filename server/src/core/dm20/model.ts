/**
 * The typed message model of DM 2.0 (7.2.1): Package#1, #2, #3, MO data and Generic Alerts, as
 * the engines build and read them. One path for everything: text is parsed and validated by the
 * same validator the editor uses (a package with an error yields no model), and a model is
 * serialized to the JSON the schemas of 7.2.1 describe. Round trips are tested like the
 * notification codec's.
 */
import type { Diagnostic } from '../diagnostic.js';
import { JsonDocument, isObject, own } from '../json/document.js';
import { command as commandInfo, type CommandName } from './commands.js';
import { PACKAGES, type PackageKind } from './packages.js';
import { validatePackage } from './validate.js';
import type { StatusContext } from './rules.js';

/** A DM command as a Package#2 carries it: its name and its parameters in table order (5.3). */
export interface DmCommand {
  name: CommandName;
  params: string[];
}

export interface GenericAlert {
  AlertType: string;
  SourceURI?: string;
  TargetURI?: string;
  Mark?: string;
  DataType?: string;
  Data?: Record<string, unknown>;
}

export interface MosItem {
  DDF?: string;
  MOID?: string;
  MIID: string[];
}

export interface Package1 {
  MOS?: MosItem[];
  Alert?: GenericAlert[];
}

export interface Package2 {
  commands: DmCommand[];
}

/** One status of a Package#3, in the order of the Package#2's commands (7.2.1.3). */
export interface CommandStatus {
  sc: number;
  URI?: string[];
}

export interface Package3 {
  Status: CommandStatus[];
  Alert?: GenericAlert[];
}

/** One item of MO data (7.2.1.4). */
export interface MoDataItem {
  DDF?: string;
  ClientURI: string;
  CV?: string;
  MOData: Record<string, unknown>;
}

export type MoData = MoDataItem[];

export interface PackageModels {
  pkg1: Package1;
  pkg2: Package2;
  pkg3: Package3;
  mo: MoData;
  alert: { Alert: GenericAlert[] };
}

export const ALERT_SERVER_INITIATED = 'urn:oma:at:dm:2.0:ServerInitiatedMgmt';
export const ALERT_CLIENT_INITIATED = 'urn:oma:at:dm:2.0:ClientInitiatedMgmt';
export const ALERT_BOOTSTRAP_COMPLETE = 'urn:oma:at:dm:2.0:BootstrapComplete';

export interface Parsed<K extends PackageKind> {
  /** The model, when the text validates without errors. */
  value?: PackageModels[K];
  diagnostics: Diagnostic[];
}

/**
 * Parses and validates a package; the model is given only when there is no error, so an engine
 * never acts on a package the editor would mark as wrong.
 */
export function parsePackage<K extends PackageKind>(text: string, kind: K, ctx: StatusContext = {}): Parsed<K> {
  const doc = new JsonDocument(text);
  const analysis = validatePackage(doc, kind, ctx);
  const diagnostics = analysis.diagnostics;
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  return { value: toModel(kind, doc.value) as PackageModels[K], diagnostics };
}

function toModel(kind: PackageKind, v: unknown): PackageModels[PackageKind] {
  switch (kind) {
    case 'pkg2': {
      const cmds = isObject(v) ? own(v, 'CMD') : undefined;
      const commands: DmCommand[] = [];
      for (const e of Array.isArray(cmds) ? cmds : []) {
        const info = Array.isArray(e) && typeof e[0] === 'string' ? commandInfo(e[0]) : undefined;
        if (info) commands.push({ name: info.name, params: (e as unknown[]).slice(1).map(String) });
      }
      return { commands };
    }
    case 'pkg3': {
      const status = isObject(v) ? own(v, 'Status') : [];
      const out: Package3 = {
        Status: (Array.isArray(status) ? status : []).map((s) => {
          // Validation passed, so each is the schema form {sc, URI?} (or an example form the validator only warns about).
          if (isObject(s)) return { sc: Number(own(s, 'sc')), ...(Array.isArray(own(s, 'URI')) ? { URI: (own(s, 'URI') as unknown[]).map(String) } : {}) };
          return { sc: Number(s) };
        }),
      };
      const alerts = isObject(v) ? own(v, 'Alert') : undefined;
      if (Array.isArray(alerts)) out.Alert = alerts as GenericAlert[];
      return out;
    }
    case 'pkg1':
      return (isObject(v) ? v : {}) as Package1;
    case 'mo':
      return (Array.isArray(v) ? v : [v]) as MoData;
    case 'alert':
      return v as { Alert: GenericAlert[] };
  }
}

/** The JSON of a package, as 7.2.1 writes it. Own properties only: node names such as `__proto__` stay data. */
export function serializePackage<K extends PackageKind>(kind: K, model: PackageModels[K]): string {
  if (kind === 'pkg2') return JSON.stringify({ CMD: (model as Package2).commands.map((c) => [c.name, ...c.params]) }, null, 1);
  return JSON.stringify(model, null, 1);
}

export function mediaTypeOf(kind: PackageKind): string {
  return PACKAGES[kind].mediaType ?? 'application/json';
}

/** "HGET https://... urn:..." for traces and logs. */
export function describeCommand(c: DmCommand): string {
  return [c.name, ...c.params].join(' ');
}
