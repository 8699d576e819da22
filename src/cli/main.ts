#!/usr/bin/env node
import { MIGRATE_USAGE, runMigrateCommand } from './migrate-command';

// The `nest-data-layer` bin: `nest-data-layer migrate status|up|down|generate|check`. It runs the
// compiled JavaScript in dist/, so no TypeScript is compiled per call. Sets the exit code and lets
// Node exit on its own once the database is closed.
const [group, ...args] = process.argv.slice(2);
const io = {
  env: process.env,
  cwd: process.cwd(),
  stdout: (line: string) => process.stdout.write(`${line}\n`),
  stderr: (line: string) => process.stderr.write(`${line}\n`),
};
if (group === 'migrate') {
  void runMigrateCommand(args, io).then((code) => {
    process.exitCode = code;
  });
} else {
  if (group !== undefined && group !== '--help' && group !== 'help') {
    io.stderr(`Unknown command: ${group}`);
  }
  MIGRATE_USAGE.forEach(group === undefined || group === '--help' ? io.stdout : io.stderr);
  process.exitCode = group === undefined || group === '--help' || group === 'help' ? 0 : 2;
}
