// The three ways the JSON figures validate one text: omadm's analysis (what the CLI and the
// language server run), vscode-json-languageservice with the same schema, and the floor,
// JSON.parse and ajv alone. Each is set up once (schemas compiled) outside what is timed.
import type AjvClass from 'ajv';
import type * as JsonLanguageService from 'vscode-json-languageservice';
import { analyzeText } from '../server/src/core/analyze.ts';
import { SCHEMAS } from '../server/src/core/dm20/schemas.ts';
import { peerRequire } from './paths.ts';

const { getLanguageService, TextDocument } = peerRequire('vscode-json-languageservice') as typeof JsonLanguageService;
const Ajv = (peerRequire('ajv') as { default: typeof AjvClass }).default;

export type JsonKind = 'pkg3' | 'mo';

export const JSON_INPUTS: readonly { kind: JsonKind; faulty: boolean }[] = [
  { kind: 'pkg3', faulty: false },
  { kind: 'pkg3', faulty: true },
  { kind: 'mo', faulty: false },
  { kind: 'mo', faulty: true },
];

const FILE: Record<JsonKind, string> = { pkg3: 'big.pkg3.json', mo: 'big.dmmo.json' };
const schemaId = (kind: JsonKind): string => (SCHEMAS[kind] as { $id: string }).$id;

/** omadm: the schema, the package rules, and positions for every finding. */
export function oursOn(text: string, kind: JsonKind): () => number {
  return () => analyzeText(text, { fileName: FILE[kind] }).diagnostics.length;
}

/** vscode-json-languageservice: parse to its ranged tree, then validate against the same schema. */
export function jsonLanguageService(text: string, kind: JsonKind): () => Promise<number> {
  const ls = getLanguageService({});
  ls.configure({
    validate: true,
    allowComments: false,
    schemas: Object.values(SCHEMAS).map((s) => {
      const id = (s as { $id: string }).$id;
      return { uri: id, ...(id === schemaId(kind) ? { fileMatch: ['*'] } : {}), schema: s as object };
    }),
  });
  let version = 0;
  return async () => {
    const doc = TextDocument.create(`file:///${FILE[kind]}`, 'json', ++version, text);
    return (await ls.doValidation(doc, ls.parseJSONDocument(doc))).length;
  };
}

/** The floor: JSON.parse and ajv with the options omadm gives it, no positions and no rules. */
export function floorValidator(text: string, kind: JsonKind): () => number {
  const ajv = new Ajv({ allErrors: true, strict: true });
  for (const s of Object.values(SCHEMAS)) ajv.addSchema(s);
  const validate = ajv.getSchema(schemaId(kind))!;
  return () => (validate(JSON.parse(text)) ? 0 : (validate.errors?.length ?? 0));
}
