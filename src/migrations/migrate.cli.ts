#!/usr/bin/env node
import { runMigrateCommand } from './migrate-command';

// The entry point of `npm run migrate -- status|up|down [n]`. Sets the exit code and lets Node
// exit on its own once the database is closed.
void runMigrateCommand(process.argv.slice(2), {
  env: process.env,
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
}).then((code) => {
  process.exitCode = code;
});
