import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative } from 'node:path';
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { SpecError } from './errors.ts';
import type { Site, SiteTree } from './sites.ts';

/** One spec file as written: its settings and where each was written. */
export interface SpecFile {
  readonly file: string;
  readonly value: Record<string, unknown>;
  readonly sites: SiteTree;
}

/** A file as messages name it: relative to the working directory when inside it, else absolute. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** Reads and parses one spec file (an absolute path); any problem is a `SpecError` at the parser's position. */
export function readSpecFile(file: string): SpecFile {
  const shownFile = displayPath(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new SpecError({ where: shownFile, path: '', message: `cannot read spec: ${reason}` });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const at = (offset: number): Site => {
    const { line, col } = lineCounter.linePos(offset);
    return { where: `${shownFile}:${line}:${col}`, dir: dirname(file) };
  };
  if (doc.errors.length) {
    const err = doc.errors[0];
    // The parser's message repeats the position and appends a code frame; the location prefix replaces both.
    const message = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new SpecError({ where: at(err.pos[0]).where, path: '', message });
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) {
    throw new SpecError({ where: `${shownFile}:1:1`, path: '', message: 'empty spec' });
  }
  if (!isMap(root)) {
    const got = isSeq(root) ? 'a list' : shownScalar(root);
    throw new SpecError({ where: at(root.range?.[0] ?? 0).where, path: '', message: `a spec must be a mapping of settings (got ${got})` });
  }
  return { file, value: doc.toJS() as Record<string, unknown>, sites: siteTree(doc, root, undefined, at) };
}

function shownScalar(node: Node): string {
  return isScalar(node) ? JSON.stringify(node.value) : 'an alias';
}

function siteTree(doc: Document, node: unknown, keyNode: Node | undefined, at: (offset: number) => Site): SiteTree {
  const key = keyNode?.range ? at(keyNode.range[0]) : undefined;
  const range = (node as Node | null)?.range;
  // `key:` with nothing after it has an empty value node; the key is the place to point at.
  const value = range && range[1] > range[0] ? at(range[0]) : (key ?? at(0));
  const target = isAlias(node) ? node.resolve(doc) : node;
  if (isMap(target)) {
    const children = new Map<string, SiteTree>();
    for (const pair of target.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      children.set(k, siteTree(doc, pair.value, pair.key as Node, at));
    }
    return { value, key, children };
  }
  if (isSeq(target)) {
    const children = new Map(target.items.map((item, i) => [String(i), siteTree(doc, item, undefined, at)] as const));
    return { value, key, children };
  }
  return { value, key };
}
