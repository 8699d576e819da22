import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/**
 * What a user installs: `npm pack` of a fresh copy of the repository (the prepack script builds
 * dist/), its file list, and its type declarations compiled with `skipLibCheck: false` by a
 * consumer whose node_modules holds only the package's dependencies and required peers, as an
 * install from the registry would.
 */
const root = resolve(__dirname, '../..');
const rootModules = realpathSync(join(root, 'node_modules'));

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ndl-pack-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${command} ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`,
    );
  }
}

/** A copy of the working tree as a clone would have it: tracked and unignored files only. */
function freshCopy(): string {
  const copy = join(work, 'clone');
  const files = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], root)
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(root, file)));
  for (const file of files) {
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    cpSync(join(root, file), join(copy, file));
  }
  symlinkSync(rootModules, join(copy, 'node_modules'), 'dir');
  return copy;
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

it('packs dist, LICENSE and migrations, and its types compile with only its dependencies', () => {
  const clone = freshCopy();
  const out = join(work, 'out');
  mkdirSync(out);
  run('npm', ['pack', '--silent', '--pack-destination', out], clone);
  const [tarball] = readdirSync(out).filter((file) => file.endsWith('.tgz'));
  expect(tarball).toBeDefined();

  const listed = run('tar', ['-tzf', join(out, tarball)], work)
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
  run('tar', ['-xzf', join(out, tarball), '--strip-components=1', '-C', installed], work);
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
  run(process.execPath, [join(modules, 'typescript/bin/tsc'), '-p', consumer], consumer);
}, 120_000);
