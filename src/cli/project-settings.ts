import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * What the CLI knows about the application it runs in: its migration folders and the module
 * that exports its table definitions. Flags win; then the `nestDataLayer` field of the app's
 * package.json; then DATABASE_MIGRATIONS_DIRS. Paths are resolved against the working directory,
 * as the module option resolves them at boot.
 */
export interface ProjectSettings {
  /** The app's migration folders, absolute; each has `sqlite/` and `postgres/` subfolders. */
  readonly directories: readonly string[];
  /** The module exporting the app's tables, absolute; undefined when none is configured. */
  readonly schema?: string;
  /** The arguments left once the flags are taken out. */
  readonly args: readonly string[];
  /** The boolean flags given (`--dry-run`, `--allow-drop`, `--supabase`). */
  readonly switches: ReadonlySet<string>;
  /** Flags with a value not handled here (`--rls-owner invoices.user_id`), by name. */
  readonly values: ReadonlyMap<string, string>;
}

/** The `nestDataLayer` field of an app's package.json. */
interface ManifestSettings {
  migrations?: string | string[];
  schema?: string;
}

const SWITCHES = new Set(['--dry-run', '--allow-drop', '--supabase']);
const VALUE_FLAGS = new Set(['--dir', '--schema', '--rls-owner']);

/** Splits the arguments into flags and the rest; a usage error is returned as a string. */
export function readProjectSettings(
  argv: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): ProjectSettings | string {
  const dirs: string[] = [];
  const values = new Map<string, string>();
  const switches = new Set<string>();
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') ? splitFlag(arg) : [arg, undefined];
    if (SWITCHES.has(flag)) {
      switches.add(flag);
    } else if (VALUE_FLAGS.has(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') return `${flag} needs a value`;
      if (flag === '--dir') dirs.push(value);
      else values.set(flag, value);
    } else if (arg.startsWith('--') && arg !== '--help') {
      return `Unknown option ${flag}`;
    } else {
      args.push(arg);
    }
  }
  const manifest = readManifestSettings(cwd);
  const fromManifest = manifest?.migrations;
  const fromEnv = env.DATABASE_MIGRATIONS_DIRS?.split(',').filter((d) => d.trim() !== '');
  const listed =
    dirs.length > 0 ? dirs : fromManifest !== undefined ? [fromManifest].flat() : (fromEnv ?? []);
  const schema = values.get('--schema') ?? manifest?.schema ?? env.DATABASE_SCHEMA_MODULE;
  return {
    directories: listed.map((d) => resolve(cwd, d.trim())),
    schema: schema ? resolve(cwd, schema) : undefined,
    args,
    switches,
    values,
  };
}

function splitFlag(arg: string): [string, string | undefined] {
  const eq = arg.indexOf('=');
  return eq < 0 ? [arg, undefined] : [arg.slice(0, eq), arg.slice(eq + 1)];
}

function readManifestSettings(cwd: string): ManifestSettings | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(cwd, 'package.json'), 'utf8')) as {
      nestDataLayer?: ManifestSettings;
    };
    return manifest.nestDataLayer;
  } catch {
    // No package.json (or not JSON): the flags and the environment decide.
    return undefined;
  }
}
