/**
 * Validation of one DM 2.0 JSON package: the schema of 7.2.1 (ajv), errors placed on the exact
 * JSON node, then the package rules. A text that is not JSON gets the parser's own ranged errors.
 */
import type { Diagnostic } from '../diagnostic.js';
import { type JsonDocument, type JsonPath, isObject, own } from '../json/document.js';
import { PACKAGES, type PackageKind } from './packages.js';
import { instancePath, propertiesAt, validateSchema } from './schemas.js';
import { Reporter } from './report.js';
import { type StatusContext, checkAlerts, checkCommands, checkMoData, checkMos, checkStatuses } from './rules.js';
import type { CommandName } from './commands.js';

export interface PackageAnalysis {
  kind: PackageKind;
  diagnostics: Diagnostic[];
  /** Package#2: its commands in order. */
  commands?: CommandName[];
  /** Package#3: its status codes in order. */
  statuses?: number[];
}

const MAX_UNKNOWN_KEYS = 100;

export function validatePackage(doc: JsonDocument, kind: PackageKind, ctx: StatusContext = {}): PackageAnalysis {
  const out: Diagnostic[] = [...doc.errors];
  const result: PackageAnalysis = { kind, diagnostics: out };
  const value = doc.value;
  if (value === undefined) return result;
  const r = new Reporter(doc, out);
  const info = PACKAGES[kind];
  const schemaRef = `DM 2.0 ${info.section.split(', ').pop()} schema`;

  // The examples' forms that get a dedicated diagnostic instead of the schema's words.
  const examplesStatus = kind === 'pkg3' && isObject(value) && Array.isArray(own(value, 'Status')) ? (own(value, 'Status') as unknown[]) : [];
  // Only a well-formed text is judged by its shape: a recovered value may be half of what was meant.
  const moObject = kind === 'mo' && doc.valid && isObject(value);
  if (doc.valid) {
    for (const e of validateSchema(kind, value)) {
      const path = instancePath(e.instancePath);
      if (kind === 'pkg3' && path[0] === 'Status' && typeof path[1] === 'number' && typeof examplesStatus[path[1]] !== 'object') continue;
      if (moObject && path.length === 0) continue;
      placeSchemaError(r, path, e.keyword, e.message ?? 'is not valid', e.params as Record<string, unknown>, schemaRef);
    }
  }
  if (moObject) {
    const whole = r.doc.range([]);
    r.add({ start: whole.start, end: whole.start + 1 }, 'error', 'dm.mo-array', `MO data is an array of {DDF?, ClientURI, CV?, MOData} (DM 2.0 7.2.1.4); this is one item without its array, as in the examples of Appendix F.`,
      [{ title: 'Wrap the item in [ ]', edits: [{ ...whole, newText: `[\n${r.doc.text.slice(whole.start, whole.end)}\n]` }], preferred: true }]);
  }
  const properties = propertiesAt(kind, []);
  if (isObject(value) && properties.length) {
    // Each unknown key is placed on its node (a lookup among the object's keys): past a hundred, one finding says how many more.
    const unknown = Object.keys(value).filter((k) => !properties.includes(k));
    if (unknown.length > MAX_UNKNOWN_KEYS) {
      const whole = r.doc.range([]);
      r.add({ start: whole.start, end: whole.start + 1 }, 'warning', 'dm.property-unknown', `${unknown.length - MAX_UNKNOWN_KEYS} more properties that ${info.title} does not have (DM 2.0 ${info.section}).`);
    }
    for (const key of unknown.slice(0, MAX_UNKNOWN_KEYS)) {
      const near = properties.find((p) => p.toLowerCase() === key.toLowerCase());
      r.at([key], 'warning', 'dm.property-unknown',
        near ? `'${key}' is written '${near}' in ${info.title} (DM 2.0 ${info.section}); JSON names are case-sensitive.` : `'${key}' is not a property of ${info.title}, which has ${properties.join(', ')} (DM 2.0 ${info.section}).`,
        near ? [{ title: `Rename to "${near}"`, edits: [{ ...r.doc.range([key], 'key'), newText: JSON.stringify(near) }], preferred: true }] : undefined, 'key');
    }
  }
  switch (kind) {
    case 'pkg1':
      if (isObject(value)) {
        checkMos(r, own(value, 'MOS'));
        checkAlerts(r, ['Alert'], own(value, 'Alert'));
      }
      break;
    case 'pkg2':
      if (isObject(value)) result.commands = checkCommands(r, own(value, 'CMD'));
      break;
    case 'pkg3':
      if (isObject(value)) {
        result.statuses = checkStatuses(r, own(value, 'Status'), ctx);
        checkAlerts(r, ['Alert'], own(value, 'Alert'));
      }
      break;
    case 'mo':
      checkMoData(r, value);
      break;
    case 'alert':
      if (isObject(value)) checkAlerts(r, ['Alert'], own(value, 'Alert'));
      break;
  }
  return result;
}

function describePath(path: JsonPath): string {
  return path.length ? path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '') : 'the package';
}

function placeSchemaError(r: Reporter, path: JsonPath, keyword: string, message: string, params: Record<string, unknown>, ref: string): void {
  if (keyword === 'required') {
    const prop = String(params.missingProperty);
    const message = `${describePath(path)} needs "${prop}" (${ref}).`;
    if (path.length) r.at(path, 'error', 'dm.schema-required', message, undefined, 'key');
    else {
      const whole = r.doc.range([]);
      r.add({ start: whole.start, end: whole.start + 1 }, 'error', 'dm.schema-required', message);
    }
    return;
  }
  if (keyword === 'type') {
    r.at(path, 'error', 'dm.schema', `${describePath(path)} must be ${params.type === 'object' ? 'an object' : params.type === 'array' ? 'an array' : `a ${String(params.type)}`} (${ref}).`);
    return;
  }
  r.at(path, 'error', 'dm.schema', `${describePath(path)} ${message} (${ref}).`);
}
