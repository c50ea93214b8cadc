/**
 * The JSON schemas of DM 2.0 7.2.1, owned here. The printed originals are draft-04; the keywords
 * they use (type, properties, items, required, $ref) mean the same in draft-07, which ajv speaks.
 * Repaired: the `"$ref": "#alert_json_schema"` of Package#1 and #3 resolves to nothing; its
 * intended target is the Alert array of the Generic Alert schema (7.2.1.5), referenced here by id.
 * Descriptions copied from the originals are kept; nothing is made stricter than printed, the
 * rules the schemas cannot say live in the package rules.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { PackageKind } from './packages.js';

const ALERT_ITEM = {
  type: 'object',
  properties: {
    AlertType: { type: 'string' },
    SourceURI: { type: 'string' },
    TargetURI: { type: 'string' },
    Mark: { type: 'string' },
    DataType: { type: 'string' },
    Data: { type: 'object', description: 'the format is out-of-scope of this specification' },
  },
  required: ['AlertType'],
};

export const SCHEMAS: Record<PackageKind, object> = {
  alert: {
    $id: 'omadm:generic-alert',
    title: 'OMA DM Generic Alert (DM 2.0 7.2.1.5)',
    type: 'object',
    properties: { Alert: { type: 'array', items: ALERT_ITEM } },
  },
  pkg1: {
    $id: 'omadm:package1',
    title: 'OMA DM Package#1 (DM 2.0 7.2.1.1)',
    type: 'object',
    properties: {
      MOS: {
        type: 'array',
        items: {
          type: 'object',
          properties: { DDF: { type: 'string' }, MOID: { type: 'string' }, MIID: { type: 'array', items: { type: 'string' } } },
          required: ['MIID'],
        },
      },
      Alert: { $ref: 'omadm:generic-alert#/properties/Alert' },
    },
  },
  pkg2: {
    $id: 'omadm:package2',
    title: 'OMA DM Package#2 (DM 2.0 7.2.1.2)',
    type: 'object',
    properties: {
      CMD: { type: 'array', items: { type: 'array', items: { description: 'DM CMD, parameters in order', type: 'string' } } },
    },
    required: ['CMD'],
  },
  pkg3: {
    $id: 'omadm:package3',
    title: 'OMA DM Package#3 (DM 2.0 7.2.1.3)',
    type: 'object',
    properties: {
      Status: {
        type: 'array',
        items: {
          description: 'status codes are ordered in the same sequence with the DM commands in the Package#2',
          type: 'object',
          properties: { sc: { type: 'number' }, URI: { type: 'array', items: { type: 'string' } } },
          required: ['sc'],
        },
      },
      Alert: { $ref: 'omadm:generic-alert#/properties/Alert' },
    },
    required: ['Status'],
  },
  mo: {
    $id: 'omadm:dmmo',
    title: 'Management Object serialization (DM 2.0 7.2.1.4)',
    type: 'array',
    items: {
      type: 'object',
      properties: { DDF: { type: 'string', description: 'DDF URL' }, ClientURI: { type: 'string' }, CV: { type: 'string' }, MOData: { type: 'object' } },
      required: ['ClientURI', 'MOData'],
    },
  },
};

let compiled: Map<PackageKind, ValidateFunction> | undefined;

/** One ajv instance, compiled on first use and reused: schema compilation is the costly part. */
export function schemaValidator(kind: PackageKind): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    for (const s of Object.values(SCHEMAS)) ajv.addSchema(s);
    compiled = new Map((Object.keys(SCHEMAS) as PackageKind[]).map((k) => [k, ajv.getSchema((SCHEMAS[k] as { $id: string }).$id)!]));
  }
  return compiled.get(kind)!;
}

export function validateSchema(kind: PackageKind, value: unknown): ErrorObject[] {
  const v = schemaValidator(kind);
  return v(value) ? [] : (v.errors ?? []);
}

interface SchemaNode {
  $ref?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

/** The property names the schema gives the object at `path` (array indices as numbers). */
export function propertiesAt(kind: PackageKind, path: (string | number)[]): string[] {
  let node: SchemaNode | undefined = SCHEMAS[kind] as SchemaNode;
  const deref = (n: SchemaNode | undefined): SchemaNode | undefined => {
    if (!n?.$ref) return n;
    const [id, pointer] = n.$ref.split('#');
    const target = Object.values(SCHEMAS).find((s) => (s as { $id: string }).$id === id) as SchemaNode | undefined;
    return (pointer ?? '').split('/').filter(Boolean).reduce<SchemaNode | undefined>((x, k) => (x as Record<string, SchemaNode> | undefined)?.[k], target);
  };
  for (const seg of path) {
    node = deref(node);
    node = typeof seg === 'number' ? node?.items : node?.properties?.[seg];
  }
  return Object.keys(deref(node)?.properties ?? {});
}

/** ajv's instancePath ("/CMD/0/1") as a path of keys and indices. */
export function instancePath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}
