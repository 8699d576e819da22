import type { CliCommand } from './cli-command';

/** `migrate generate <name>`: placeholder until the generator lands. */
export const generateCommand: CliCommand = async (_args, io) => {
  io.stderr('migrate generate is not available yet');
  return 2;
};
