/**
 * The JSON schemas of DM 2.0 7.2.1 as data, and the options ajv compiles them with: a module of
 * its own, with nothing to import, so that the build can read it to compile the schemas into
 * standalone validators (scripts/build.mjs) and the server reads the same definitions.
 * See schemas.ts for what was repaired in the printed originals.
 */
import type { PackageKind } from './packages.js';

/** allErrors: every fault of a package is reported, not the first; strict: the schemas use no unknown keyword. */
export const AJV_OPTIONS = { allErrors: true, strict: true } as const;

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
