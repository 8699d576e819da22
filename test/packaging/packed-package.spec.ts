import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { packLibrary, REPO_ROOT } from '../support/packed-library';
import { runOk } from '../support/run-command';

/**
 * What a user installs: `npm pack` of a fresh copy of the repository (the prepack script builds
 * dist/; the tarball is shared with the new-user e2e test, see test/support/packed-library.ts),
 * its file list, and its type declarations compiled with `skipLibCheck: false` by a consumer
 * whose node_modules holds only the package's dependencies and required peers, as an install
 * from the registry would.
 */
const rootModules = realpathSync(join(REPO_ROOT, 'node_modules'));

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ndl-pack-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs a command that must succeed and returns what it printed. */
async function run(command: string, args: string[], cwd: string): Promise<string> {
  return (await runOk(command, args, { cwd, timeoutMs: 300_000 })).stdout;
}

/** Links one installed package into a node_modules folder. */
function linkPackage(modules: string, name: string): void {
  const target = join(modules, name);
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(join(rootModules, name), target, 'dir');
}

const CONSUMER = `
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import {
  BaseRepository,
  DatabaseModule,
  InjectDatabaseAdapter,
  InjectRepository,
  UserRepository,
  defineTable,
  getDatabaseAdapterToken,
  type EntityOf,
  type IDatabaseAdapter,
} from 'nest-data-layer';

export const invoicesTable = defineTable({
  name: 'invoices',
  columns: { number: { type: 'string', length: 40 }, paid: { type: 'boolean' } },
});
export type Invoice = EntityOf<typeof invoicesTable>;

@Injectable()
export class InvoicesRepository extends BaseRepository<Invoice> {
  protected readonly table = invoicesTable;
}

@Injectable()
export class Reports {
  constructor(
    @InjectRepository(UserRepository, 'analytics') readonly users: UserRepository,
    @InjectDatabaseAdapter('analytics') readonly adapter: IDatabaseAdapter,
  ) {}
}

@Module({
  imports: [
    DatabaseModule.forRoot({ provider: 'sqlite' }),
    DatabaseModule.forRootAsync({ name: 'analytics', useFactory: () => ({ provider: 'pglite' }) }),
    DatabaseModule.forFeature([InvoicesRepository], 'analytics'),
  ],
  providers: [Reports],
})
export class AppModule {}
export const token: symbol = getDatabaseAdapterToken('analytics');
`;

it('packs dist, LICENSE and migrations, and its types compile with only its dependencies', async () => {
  const tarball = await packLibrary();
  const listed = (await run('tar', ['-tzf', tarball], work))
    .split('\n')
    .filter(Boolean)
    .map((entry) => entry.replace(/^package\//, ''));
  for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'LICENSE']) {
    expect(listed).toContain(file);
  }
  for (const dialect of ['sqlite', 'postgres']) {
    expect(listed.some((file) => file.startsWith(`migrations/${dialect}/`))).toBe(true);
  }
  expect(listed.filter((file) => /^(src|test)\//.test(file))).toEqual([]);

  const consumer = join(work, 'consumer');
  const modules = join(consumer, 'node_modules');
  const installed = join(modules, 'nest-data-layer');
  mkdirSync(installed, { recursive: true });
  await run('tar', ['-xzf', tarball, '--strip-components=1', '-C', installed], work);
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  };
  const requiredPeers = Object.keys(manifest.peerDependencies ?? {}).filter(
    (name) => !manifest.peerDependenciesMeta?.[name]?.optional,
  );
  const wanted = new Set([
    ...Object.keys(manifest.dependencies ?? {}),
    ...requiredPeers,
    '@types/node',
    'typescript',
  ]);
  for (const name of wanted) linkPackage(modules, name);

  writeFileSync(join(consumer, 'index.ts'), CONSUMER);
  writeFileSync(
    join(consumer, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        target: 'ES2022',
        module: 'commonjs',
        moduleResolution: 'node',
        types: ['node'],
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        esModuleInterop: true,
      },
      files: ['index.ts'],
    }),
  );
  await run(process.execPath, [join(modules, 'typescript/bin/tsc'), '-p', consumer], consumer);
}, 600_000); // packLibrary may first wait for the new-user e2e test packing the same tree
