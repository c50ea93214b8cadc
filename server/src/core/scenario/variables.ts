/**
 * Environments and secrets of scenarios (docs/scenarios.md). A scenario's strings may say
 * `${name}`, a value of the environment chosen for the run (named environments live in a shared
 * `omadm.env.json`), or `${secret:NAME}`, taken from VS Code's SecretStorage in the editor and
 * from the variable OMADM_SECRET_NAME in CI. Secrets are never written anywhere: every value
 * substituted for one is replaced by «secret:NAME» in traces, reports and messages.
 */
import { type ParseError, parse, printParseErrorCode } from 'jsonc-parser';

export interface Environments {
  environments: Record<string, Record<string, string>>;
  default?: string;
}

/**
 * `omadm.env.json`: a problem, or the named environments. It is JSON with comments, as the
 * scenarios are and as VS Code edits it (language `jsonc`): a comment or a trailing comma is read,
 * not refused.
 */
export function parseEnvironments(text: string): Environments | string {
  const errors: ParseError[] = [];
  const v: unknown = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first) {
    const before = text.slice(0, first.offset);
    const line = before.split('\n').length;
    const column = first.offset - before.lastIndexOf('\n');
    return `not JSON with comments: ${printParseErrorCode(first.error)} at line ${line}, column ${column}`;
  }
  const envs = (v as { environments?: unknown } | null)?.environments;
  if (!envs || typeof envs !== 'object' || Array.isArray(envs)) return 'an object { "environments": { "NAME": { "variable": "value" } } } is expected';
  for (const [name, vars] of Object.entries(envs)) {
    if (!vars || typeof vars !== 'object' || Array.isArray(vars)) return `environment '${name}' is not an object of variables`;
    for (const [k, x] of Object.entries(vars)) if (typeof x !== 'string') return `${name}.${k} is not a string`;
  }
  const def = (v as { default?: unknown }).default;
  return { environments: envs as Record<string, Record<string, string>>, ...(typeof def === 'string' ? { default: def } : {}) };
}

/** The name CI gives a secret: OMADM_SECRET_ and the name in capitals, other characters as '_'. */
export function secretVariable(name: string): string {
  return `OMADM_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export class Substitution {
  /** Names used but not defined, for a clear error before anything runs. */
  readonly missing = new Set<string>();
  private readonly secrets = new Map<string, string>();

  constructor(
    private readonly vars: Readonly<Record<string, string>>,
    private readonly secret: (name: string) => string | undefined,
  ) {}

  /** Every string inside `v` with its references replaced. */
  apply<T>(v: T): T {
    if (typeof v === 'string') return this.text(v) as T;
    if (Array.isArray(v)) return v.map((x) => this.apply(x)) as T;
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = this.apply(x);
      return out as T;
    }
    return v;
  }

  private text(s: string): string {
    // One left-to-right pass over `${...}` references: what is substituted is not read again.
    return s.replace(/\$\{(secret:)?([A-Za-z0-9_.-]{1,64})\}/g, (whole, isSecret: string | undefined, name: string) => {
      if (isSecret) {
        const value = this.secret(name);
        if (value === undefined) {
          this.missing.add(`secret:${name}`);
          return whole;
        }
        if (value) this.secrets.set(value, name);
        return value;
      }
      const value = this.vars[name];
      if (value === undefined) {
        this.missing.add(name);
        return whole;
      }
      return value;
    });
  }

  /** The text with every secret value used so far hidden. */
  redact(s: string): string {
    let out = s;
    // Longest first, so that a secret containing another is hidden whole.
    for (const [value, name] of [...this.secrets].sort((a, b) => b[0].length - a[0].length)) out = out.split(value).join(`«secret:${name}»`);
    return out;
  }

  /** The names of the secrets substituted so far (never their values). */
  get secretNames(): string[] {
    return [...new Set(this.secrets.values())].sort();
  }

  get hasSecrets(): boolean {
    return this.secrets.size > 0;
  }
}
