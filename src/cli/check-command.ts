import type { CliCommand } from './cli-command';

/** `migrate check`: placeholder until the checker lands. */
export const checkCommand: CliCommand = async (_args, io) => {
  io.stderr('migrate check is not available yet');
  return 2;
};
