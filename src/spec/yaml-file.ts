import { readFileSync, statSync } from 'node:fs';
import { firstInvalidUtf8 } from '../data/utf8.ts';
import { dirname, isAbsolute, relative } from 'node:path';
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from '../vendor/yaml.ts';
import { SpecError, shown } from './errors.ts';
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

/**
 * The largest spec file read. A spec is a few kilobytes; one of megabytes is a generated list gone wrong (a
 * few million seeds), which parsing alone would take minutes and gigabytes over: it is refused unread.
 */
const MAX_SPEC_BYTES = 1 << 20;

/**
 * Aliases (`*name`) a spec may expand, counted as the yaml package counts them (nodes reached through
 * aliases): an anchor reused a few times is fine, nested aliases that double at every level (a "billion
 * laughs" bomb) are refused before they are expanded.
 */
const MAX_ALIAS_COUNT = 1000;

/**
 * The file's bytes as UTF-8 text; bytes that are not UTF-8 (a spec saved as Latin-1, say) are an error at
 * their line and column, where decoding would make each a U+FFFD inside a value or a key.
 */
function utf8Text(bytes: Buffer, shownFile: string): string {
  const bad = firstInvalidUtf8(bytes);
  if (bad < 0) return bytes.toString('utf8');
  const before = bytes.subarray(0, bad).toString('utf8');
  const line = before.split('\n').length;
  const col = before.length - before.lastIndexOf('\n');
  throw new SpecError({
    where: `${shownFile}:${line}:${col}`,
    path: '',
    message: `byte 0x${bytes[bad].toString(16)} is not UTF-8 text (is the file in another encoding, such as Latin-1?); save the spec as UTF-8`,
  });
}

/** Reads and parses one spec file (an absolute path); any problem is a `SpecError` at the parser's position. */
export function readSpecFile(file: string): SpecFile {
  const shownFile = displayPath(file);
  let text: string;
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new SpecError({ where: shownFile, path: '', message: 'cannot read spec: it is a folder, not a file' });
    if (stat.size > MAX_SPEC_BYTES) {
      throw new SpecError({
        where: shownFile,
        path: '',
        message: `spec file is ${stat.size.toLocaleString('en-US')} bytes; a spec may be at most ${MAX_SPEC_BYTES.toLocaleString('en-US')} (${MAX_SPEC_BYTES / (1 << 20)} MiB: a list that long, e.g. of seeds, is a mistake)`,
      });
    }
    text = utf8Text(readFileSync(file), shownFile);
  } catch (err) {
    if (err instanceof SpecError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new SpecError({ where: shownFile, path: '', message: `cannot read spec: ${reason}` });
  }
  const lineCounter = new LineCounter();
  // logLevel error: the parser's warnings (a key that is a list becomes its text) would reach stderr as advice
  // about its own options; such a key is reported as an unknown setting instead.
  const doc = parseDocument(text, { lineCounter, logLevel: 'error' });
  const at = (offset: number): Site => {
    const { line, col } = lineCounter.linePos(offset);
    return { where: `${shownFile}:${line}:${col}`, dir: dirname(file) };
  };
  if (doc.errors.length) {
    const err = doc.errors[0];
    // The parser's message repeats the position and appends a code frame; the location prefix replaces both.
    const first = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    // The parser runs out of stack on lists or maps nested thousands deep; say what the user can fix.
    const message = /Maximum call stack/.test(first)
      ? 'lists or mappings nested too deeply'
      : /multiple documents/.test(first)
        ? 'a second YAML document (after ---): a spec file holds one'
        : first;
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
  let value: Record<string, unknown>;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as Record<string, unknown>;
  } catch (err) {
    // The yaml package's guard against alias bombs; anything else is not the user's to fix.
    if (!(err instanceof ReferenceError)) throw err;
    throw new SpecError({ where: at(firstAlias(root) ?? 0).where, path: '', message: `too many aliases: expanding them would exceed ${MAX_ALIAS_COUNT} nodes (${err.message})` });
  }
  return { file, value, sites: siteTree(doc, root, undefined, at) };
}


/** Where the first alias of a document is written. */
function firstAlias(root: Node): number | undefined {
  let found: number | undefined;
  visit(root, {
    Alias(_, node) {
      found = node.range?.[0];
      return visit.BREAK;
    },
  });
  return found;
}

function shownScalar(node: Node): string {
  return isScalar(node) ? shown(node.value) : 'an alias';
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
