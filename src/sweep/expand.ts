import { createHash } from 'node:crypto';
import { stream, type RandomStream } from '../random/streams.ts';
import { SpecError } from '../spec/errors.ts';
import type { LoadedSpec } from '../spec/load.ts';
import { resolveSpec } from '../spec/resolve.ts';
import { resolveSetting } from '../spec/schema.ts';
import { assignSite, locate, type SiteTree } from '../spec/sites.ts';
import { type SweepEntry, sweepEntries } from '../spec/sweep-check.ts';
import type { RunSpec } from '../spec/types.ts';
import { setAt } from '../spec/values.ts';

/** One run of an experiment: a sweep point and a seed applied to the resolved spec. */
export interface PlannedRun {
  /** 12 hex digits of the sha256 of the run spec's canonical JSON, without the fields that do not change results. */
  readonly runId: string;
  /** Dotted setting path → value, in the sweep's declaration order. */
  readonly point: Readonly<Record<string, unknown>>;
  readonly seed: number;
  /** Fully defaulted, with the point and seed applied and no sweep. */
  readonly spec: RunSpec;
}

/** One setting of a point, with the sweep entry (its keys in the spec) it came from, to locate errors. */
interface Assignment {
  readonly entry: SweepEntry;
  readonly at: readonly string[];
  readonly value: unknown;
}
type Point = readonly Assignment[];

/**
 * The runs of a loaded spec: points are the product grid × zip × random (each in declaration order, the first
 * declared varying slowest), each run once per seed (seeds inner). Every run spec is validated whole, so a
 * combination the schema rejects is reported at the sweep entries that produced it.
 */
export function expandRuns(loaded: LoadedSpec): PlannedRun[] {
  const { sweep, ...base } = loaded.spec;
  const entries = sweepEntries(sweep);
  const points = product([gridPoints(entries), zipPoints(entries), randomPoints(entries, sweep.random?.seed ?? 0, sweep.random?.n ?? 0)]);
  const seeds: ReadonlyArray<number | undefined> = sweep.seeds.length ? sweep.seeds : [undefined];
  const keys = new Map(entries.map((e) => [e.path, settingKeys(e.path)]));
  const runs: PlannedRun[] = [];
  const byId = new Map<string, Point>();
  for (const point of points) {
    seeds.forEach((seed, s) => {
      const run = planRun(base, loaded.sites, keys, point, seed === undefined ? undefined : { seed, at: ['sweep', 'seeds', String(s)] });
      const twin = byId.get(run.runId);
      if (twin) {
        throw new SpecError({
          where: locate(loaded.sites, ['sweep'], 'key').where,
          path: 'sweep',
          message: `points {${describe(twin)}} and {${describe(point)}} give the same run ${run.runId}; sweep each value once`,
        });
      }
      byId.set(run.runId, point);
      runs.push(run);
    });
  }
  return runs;
}

function planRun(
  base: Omit<LoadedSpec['spec'], 'sweep'>,
  baseSites: SiteTree,
  keys: ReadonlyMap<string, readonly string[]>,
  point: Point,
  seed?: { seed: number; at: readonly string[] },
): PlannedRun {
  const assignments = point.map((a) => ({ keys: keys.get(a.entry.path)!, value: a.value, at: a.at }));
  if (seed) assignments.push({ keys: ['seed'], value: seed.seed, at: seed.at });
  let value: unknown = base;
  let sites = baseSites;
  for (const a of assignments) {
    value = setAt(value, a.keys, a.value);
    sites = assignSite(sites, a.keys, locate(baseSites, a.at));
  }
  let resolved;
  try {
    resolved = resolveSpec(value as Record<string, unknown>, sites);
  } catch (err) {
    if (!(err instanceof SpecError) || !point.length) throw err;
    throw new SpecError(err.issues.map((i) => ({ ...i, message: `${i.message} (in sweep point ${describe(point)})` })));
  }
  // Validation fills an empty sweep back in as a default; a run has none.
  const { sweep: _sweep, ...spec } = resolved;
  return { runId: runId(spec), point: Object.fromEntries(point.map((a) => [a.entry.path, a.value])), seed: spec.seed, spec };
}

function settingKeys(path: string): readonly string[] {
  const r = resolveSetting(path);
  if (!r.ok) throw new Error(`sweep path ${path} was not checked`);
  return r.keys;
}

function gridPoints(entries: readonly SweepEntry[]): Point[] {
  return product(entries.filter((e) => e.kind === 'grid').map((e) => e.values!.map((value, i) => [{ entry: e, at: [...e.entry, String(i)], value }])));
}

function zipPoints(entries: readonly SweepEntry[]): Point[] {
  const zipped = entries.filter((e) => e.kind === 'zip');
  if (!zipped.length) return [[]];
  return zipped[0].values!.map((_, i) => zipped.map((e) => ({ entry: e, at: [...e.entry, String(i)], value: e.values![i] })));
}

/** `n` draws, each drawing every parameter in declaration order from one stream seeded by the sweep's own seed. */
function randomPoints(entries: readonly SweepEntry[], seed: number, n: number): Point[] {
  const params = entries.filter((e) => e.kind === 'random');
  if (!params.length) return [[]];
  const rs = stream(seed, 'sweep.random');
  return Array.from({ length: n }, () => params.map((e) => ({ entry: e, at: e.entry, value: draw(rs, e.distribution!) })));
}

/** One value from a declared distribution (choices, uniform, log_uniform, int_uniform). */
export function draw(rs: RandomStream, distribution: Readonly<Record<string, readonly unknown[]>>): unknown {
  const [kind, args] = Object.entries(distribution)[0];
  const [low, high] = args as number[];
  switch (kind) {
    case 'choices':
      return args[rs.int(args.length)];
    case 'uniform':
      return low + (high - low) * rs.next();
    case 'log_uniform':
      // Rounding in exp(log(x)) can land a hair outside the range.
      return Math.min(high, Math.max(low, Math.exp(Math.log(low) + (Math.log(high) - Math.log(low)) * rs.next())));
    case 'int_uniform':
      return low + rs.int(high - low + 1);
    default:
      throw new Error(`unsupported distribution ${kind}`);
  }
}

/** Cartesian product of lists of partial points, the first list varying slowest. */
function product(lists: readonly (readonly Point[])[]): Point[] {
  return lists.reduce<Point[]>((acc, list) => acc.flatMap((p) => list.map((q) => [...p, ...q])), [[]]);
}

function describe(point: Point): string {
  return point.map((a) => `${a.entry.path}=${JSON.stringify(a.value)}`).join(', ');
}

/** Fields that name or describe an experiment without changing any result, so they do not enter the run id. */
const NOT_RESULTS = ['experiment', 'description'] as const;

/** The run id: the same run spec always gets the same id; any setting that changes results changes it. */
export function runId(spec: RunSpec): string {
  const hashed: Record<string, unknown> = { ...spec };
  for (const k of NOT_RESULTS) delete hashed[k];
  return createHash('sha256').update(canonicalJson(hashed)).digest('hex').slice(0, 12);
}

/** JSON with object keys sorted at every level, so equal values always serialize alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
