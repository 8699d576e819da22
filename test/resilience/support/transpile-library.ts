import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import * as ts from 'typescript';

const SOURCE = join(__dirname, '..', '..', '..', 'src');

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      return Promise.resolve(entry.name.endsWith('.ts') ? [path] : []);
    }),
  );
  return nested.flat();
}

/**
 * Transpiles the library's src/ to CommonJS in a temporary directory (no type check), so child
 * processes start with plain `node` in a fraction of ts-node's start-up time. Children resolve
 * packages through NODE_PATH (see {@link childEnv}). Returns the directory holding `src`'s output.
 */
export async function transpileLibrary(): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'ndl-lib-'));
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    useDefineForClassFields: false,
    esModuleInterop: true,
  };
  for (const file of await sourceFiles(SOURCE)) {
    const { outputText } = ts.transpileModule(await readFile(file, 'utf8'), {
      compilerOptions: options,
      fileName: file,
    });
    const target = join(out, relative(SOURCE, file)).replace(/\.ts$/, '.js');
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, outputText);
  }
  return out;
}

/** The environment a child needs to load the transpiled library: packages from this checkout. */
export function childEnv(): NodeJS.ProcessEnv {
  return { ...process.env, NODE_PATH: join(SOURCE, '..', 'node_modules') };
}
