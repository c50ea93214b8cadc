/**
 * The JSON schemas of DM 2.0 7.2.1, owned here (written in schemaData.ts, the validators compiled
 * from them in validators.ts). The printed originals are draft-04; the keywords they use (type,
 * properties, items, required, $ref) mean the same in draft-07, which ajv speaks.
 * Repaired: the `"$ref": "#alert_json_schema"` of Package#1 and #3 resolves to nothing; its
 * intended target is the Alert array of the Generic Alert schema (7.2.1.5), referenced here by id.
 * Descriptions copied from the originals are kept; nothing is made stricter than printed, the
 * rules the schemas cannot say live in the package rules.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { PackageKind } from './packages.js';
import { SCHEMAS } from './schemaData.js';
import { compileValidators } from './validators.js';

export { SCHEMAS };

let compiled: Record<PackageKind, ValidateFunction> | undefined;

/**
 * The validator of a package kind. In the bundles they come compiled at build time (ajv standalone
 * code, see validators.ts): the server compiles no schema when it starts.
 */
export function schemaValidator(kind: PackageKind): ValidateFunction {
  return (compiled ??= compileValidators())[kind];
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
