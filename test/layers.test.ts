import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Layers point one way: the CLI sits on top, nothing below it reaches up into it, and no two modules depend
 * on each other (directly or round a loop). Imports are read with TypeScript's own pre-processor, so static
 * `import`/`export … from` (type-only included), dynamic `import('…')` and `typeof import('…')` all count,
 * and an import spelled inside a comment or a string does not.
 */

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(repo, 'src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The file a relative specifier names (`./x.ts`, `./x.js` compiled-name style, `./x`, `./dir`), or undefined. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  const candidates = [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((path) => path.endsWith('.ts') && existsSync(path) && statSync(path).isFile());
}

/** Every src file → the src files it imports, as repo-relative paths with `/` separators. */
function importGraph(dir: string = srcDir): Map<string, string[]> {
  const name = (path: string) => relative(repo, path).split(sep).join('/');
  const graph = new Map<string, string[]>();
  for (const file of tsFiles(dir).sort()) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = new Set<string>();
    for (const { fileName } of importedFiles) {
      const target = resolveSpecifier(file, fileName);
      if (target !== undefined) targets.add(name(target));
    }
    graph.set(name(file), [...targets].sort());
  }
  return graph;
}

/**
 * Each tangle of files that import each other (a strongly connected component of two or more files, or a file
 * importing itself): its files, and one loop through them (first file repeated at the end), the shortest back
 * to its first file. Breaking that loop may leave a smaller tangle, which the next run names.
 */
function importCycles(graph: Map<string, string[]>): { files: string[]; loop: string[] }[] {
  // Tarjan's strongly connected components; a component of two or more files (or a file importing itself) holds a cycle.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) components.push(component);
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);

  // Name one concrete loop per component: the shortest path back to its first file, by breadth-first search inside it.
  return components.map((component) => {
    const files = [...component].sort();
    const inside = new Set(files);
    const start = files[0];
    const previous = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const v = queue.shift()!;
      for (const w of graph.get(v) ?? []) {
        if (!inside.has(w)) continue;
        if (w === start) {
          const loop = [v];
          while (loop[0] !== start) loop.unshift(previous.get(loop[0])!);
          return { files, loop: [...loop, start] };
        }
        if (!previous.has(w)) {
          previous.set(w, v);
          queue.push(w);
        }
      }
    }
    return { files, loop: [start, start] };
  });
}

describe('layers', () => {
  const graph = importGraph();

  it('reads the source tree', () => {
    // A scan that silently found nothing would pass everything below.
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('src/cli/main.ts')).toContain('src/cli/commands/run.ts'); // a dynamic import()
    expect(graph.get('src/spec/errors.ts')).toContain('src/errors.ts');
  });

  it('nothing outside src/cli imports from src/cli', () => {
    const upward = [...graph]
      .filter(([file]) => !file.startsWith('src/cli/'))
      .flatMap(([file, targets]) => targets.filter((t) => t.startsWith('src/cli/')).map((t) => `${file} → ${t}`));
    expect(upward, `imports that reach up into the CLI:\n${upward.join('\n')}`).toEqual([]);
  });

  it('has no import cycle', () => {
    const cycles = importCycles(graph).map(({ files, loop }) =>
      files.length > loop.length - 1 ? `${loop.join(' → ')} (one loop of a tangle of ${files.length} files: ${files.join(', ')})` : loop.join(' → '),
    );
    expect(cycles, `import cycles:\n${cycles.join('\n')}`).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    // The detector itself, on a small graph with one loop of three and a self-import.
    const toy = new Map([
      ['a', ['b']],
      ['b', ['c', 'd']],
      ['c', ['a']],
      ['d', []],
      ['e', ['e']],
    ]);
    expect(importCycles(toy).map(({ loop }) => loop.join(' → ')).sort()).toEqual(['a → b → c → a', 'e → e']);
    expect(importCycles(toy).map(({ files }) => files).sort()).toEqual([['a', 'b', 'c'], ['e']]);
  });
});
