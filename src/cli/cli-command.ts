/**
 * The shape every `nest-data-layer` subcommand has, so the entry point dispatches by name and each
 * command lives in its own file.
 */

/** Where a command reads its settings and writes its lines. */
export interface CliIo {
  /** The environment: DATABASE_PROVIDER, SQLITE_PATH, DATABASE_URL, … */
  env: Readonly<Record<string, string | undefined>>;
  /** The directory relative paths are resolved from. */
  cwd: string;
  /** Receives each line of normal output. */
  stdout: (line: string) => void;
  /** Receives each line of error output. */
  stderr: (line: string) => void;
}

/**
 * A subcommand: takes the arguments after its name and returns the exit code (0 done, 1 failed or
 * found a problem, 2 bad usage). It never throws.
 */
export type CliCommand = (args: readonly string[], io: CliIo) => Promise<number>;
