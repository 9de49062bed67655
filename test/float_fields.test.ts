import pl from 'nodejs-polars';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { CsvChecker } from '../src/data/csv.ts';
import { readFloatFields } from '../src/data/float_fields.ts';
import { LOAD_FAILED, moduleWorker } from '../src/runtime/module_worker.ts';

/**
 * The loader's own parser of feature values, against two independent parsers: JavaScript's `Number`
 * (V8's correctly rounded string-to-double) value by value, and polars' CSV reader (Rust) on whole tables.
 */

/** A field's value as a one-column CSV record gives it (NaN: left to polars). */
const parse = (s: string) => {
  const b = Buffer.from(`${s}\n`, 'latin1');
  const out = new Float64Array(1);
  return readFloatFields(b, 0, b.length, 1, Int32Array.of(0), 1, out, Buffer.alloc(b.length)) >= 0 ? out[0] : NaN;
};

describe('parseDecimal', () => {
  const rng = seedrandom('float-fields');

  /** Every string is parsed to Number's double, bit for bit, or left to polars (NaN); returns how many were left. */
  function agree(strings: readonly string[]): number {
    let left = 0;
    const wrong: string[] = [];
    for (const s of strings) {
      const v = parse(s);
      if (Number.isNaN(v)) left++;
      else if (!Object.is(v, Number(s))) wrong.push(`${s}: ${v} vs ${Number(s)}`);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    return left;
  }

  it('gives the nearest double of the shortest decimals of random doubles (15–17 digits), as Number does', () => {
    // From 1e-12 to 1e8 in size: String writes those below 1e-6 in exponent form (-5.689182475471954e-8).
    const strings = Array.from({ length: 200_000 }, () => String((rng() - 0.5) * 10 ** Math.floor(rng() * 20 - 11)));
    expect(agree(strings)).toBe(0);
    expect(strings.filter((s) => s.includes('e-')).length).toBeGreaterThan(10_000);
    expect(strings.filter((s) => s.replace(/^-?0?\.?0*|[.-]|e.*$/g, '').length > 15).length).toBeGreaterThan(100_000);
  });

  it('gives Number’s double for random decimals of 1 to 19 digits, with points and exponents', () => {
    const strings = Array.from({ length: 200_000 }, () => {
      const n = 1 + Math.floor(rng() * 19);
      let digits = '';
      for (let j = 0; j < n; j++) digits += Math.floor(rng() * 10);
      const point = Math.floor(rng() * (n + 1));
      let s = point === 0 ? `0.${digits}` : point === n ? digits : `${digits.slice(0, point)}.${digits.slice(point)}`;
      if (rng() < 0.3) s += `${rng() < 0.5 ? 'e' : 'E'}${rng() < 0.5 ? '-' : '+'}${Math.floor(rng() * 26)}`;
      return rng() < 0.5 ? `-${s}` : s;
    });
    // Left to polars: only "-0"-like integers (a sign on zero digits), none of the others.
    expect(agree(strings)).toBe(strings.filter((s) => /^-0+$/.test(s)).length);
  });

  it('rounds exact halfway cases to even and the cases nearest them correctly', () => {
    // 2^53 + 1 lies halfway between two doubles; so do 2^54 + 2 and 2^55 + 4 (and scaled by powers of ten).
    const halfway = ['9007199254740993', '18014398509481986', '36028797018963976', '900719925474099.3e1', '90071992547409930e-1', '1801439850948198.6e1'];
    const near = ['9007199254740993.01e-9', '9007199254740992.999', '9007199254740993.001', '0.30000000000000004', '0.1', '0.7', '1.7976931348623157', '2.2250738585072014e-28', '4.9406564584124654e+40', '1e-44', '9999999999999999999e25'];
    expect(agree([...halfway, ...near])).toBe(0);
    // Around powers of two, where the double below is half an ulp away, not a whole one: 17 to 19 digits of
    // each power and of its neighbours.
    const neighbours = (v: number) => {
      const bits = new Float64Array([v]);
      const words = new BigInt64Array(bits.buffer);
      words[0] -= 1n;
      const below = bits[0];
      words[0] += 2n;
      return [below, v, bits[0]];
    };
    const powers = Array.from({ length: 171 }, (_, k) => 2 ** (k - 70)).flatMap(neighbours);
    expect(agree(powers.flatMap((v) => [17, 18, 19].map((digits) => v.toPrecision(digits))))).toBe(0);
    expect(parse('9007199254740993')).toBe(2 ** 53);
    expect(parse('9007199254740995')).toBe(2 ** 53 + 4);
  });

  it('takes integers, signs, exponents and zeros as polars reads them, and leaves anything else to polars', () => {
    expect(parse('12')).toBe(12);
    expect(parse('-1.5e3')).toBe(-1500);
    expect(parse('1E+2')).toBe(100);
    expect(parse('000.0012')).toBe(0.0012);
    expect(Object.is(parse('-0.0'), -0)).toBe(true);
    expect(Object.is(parse('-0e-4'), -0)).toBe(true);
    expect(Object.is(parse('0'), 0)).toBe(true);
    for (const s of ['-0', 'NaN', 'nan', 'inf', '-inf', '+1', '.5', '1.', '1e', '1e+', '--1', '1.2.3', ' 1', '1 ', '1e-45', '1e45', '12345678901234567890', '0x10', '"1"']) {
      expect([s, parse(s)]).toEqual([s, NaN]);
    }
  });
});

describe('readFloatFields', () => {
  /**
   * The checked records of a CSV text, their float columns parsed here (null where the parser left the text
   * to polars), and the other columns' fields as it copies them, under the header's names.
   */
  function split(text: string, floats: readonly string[]): { values: Float64Array[]; rest: string } | null {
    const bytes = Buffer.from(text, 'utf8');
    const checker = new CsvChecker('t.csv');
    const part = checker.take(bytes, true);
    checker.finish();
    const header = checker.header!;
    const slot = Int32Array.from(header, (name) => floats.indexOf(name));
    const out = new Float64Array(checker.rowCount * floats.length);
    const rest = Buffer.alloc(bytes.length);
    const length = readFloatFields(bytes, part.records, part.to, header.length, slot, floats.length, out, rest);
    if (length < 0) return null;
    const values = floats.map((_, c) => Float64Array.from({ length: checker.rowCount }, (_, r) => out[r * floats.length + c]));
    const others = header.filter((name) => !floats.includes(name)).map((name) => JSON.stringify(name));
    return { values, rest: `${others.join(',')}\n${rest.toString('utf8', 0, length)}` };
  }
  const parsed = (text: string, floats: readonly string[]) => split(text, floats)?.values ?? null;

  /** Polars' values of the same columns, missing as NaN. */
  function polars(text: string, floats: readonly string[]): Float64Array[] {
    const df = pl.readCSV(Buffer.from(text, 'utf8'), { ignoreErrors: false });
    return floats.map((name) => Float64Array.from(df.getColumn(name).cast(pl.Float64).toArray() as (number | null)[], (v) => v ?? NaN));
  }

  it('reads the float columns of records as polars does: quoted text around them, gaps, CRLF, no final line break', () => {
    const rows = [
      'id,a,"note, quoted",b,c',
      '1,0.5,"x, ""y""\nz",-1.25e-3,7',
      '2,,plain,3.0000000000000004,',
      '3,123456789012345678,"",-0.0,1E5\r',
      '4,0.1,"a\r\nb",2,-3.5',
    ];
    const text = `${rows.join('\n')}`;
    const floats = ['a', 'b', 'c'];
    const { values: ours, rest } = split(text, floats)!;
    const theirs = polars(text, floats);
    // The other columns, copied for polars, read as polars reads them in the whole text.
    const whole = pl.readCSV(Buffer.from(text, 'utf8'), { ignoreErrors: false });
    const others = pl.readCSV(Buffer.from(rest, 'utf8'), { ignoreErrors: false });
    expect(others.columns).toEqual(['id', 'note, quoted']);
    expect(others.toRecords()).toEqual(whole.select('id', 'note, quoted').toRecords());
    expect(others.getColumn('note, quoted').toArray()).toEqual(['x, "y"\nz', 'plain', '', 'a\r\nb']);
    floats.forEach((_, c) => expect(Array.from(ours[c]).map((v) => (Object.is(v, -0) ? '-0' : v))).toEqual(Array.from(theirs[c]).map((v) => (Object.is(v, -0) ? '-0' : v))));
    expect(Array.from(ours[0])).toEqual([0.5, NaN, 123456789012345680, 0.1]);
    expect(Array.from(ours[2])).toEqual([7, NaN, 100000, -3.5]);
  });

  it('matches polars on a table of random values, column order differing from the header', () => {
    const rng = seedrandom('table');
    const header = ['Metadata_Well', 'f0', 'f1', 'Metadata_x', 'f2'];
    const lines = [header.join(',')];
    for (let r = 0; r < 2000; r++) {
      const v = () => (rng() < 0.05 ? '' : String((rng() - 0.5) * 10 ** Math.floor(rng() * 8 - 3)));
      lines.push([`W${r}`, v(), v(), rng() < 0.1 ? `"q,${r}"` : `m${r}`, v()].join(','));
    }
    const text = `${lines.join('\n')}\n`;
    const floats = ['f2', 'f0', 'f1'];
    expect(parsed(text, floats)).toEqual(polars(text, floats));
  });

  it('leaves a part to polars when a float column holds anything but a plain decimal or a gap', () => {
    for (const value of ['NaN', 'inf', '"1.5"', '1.5 ', 'abc', '-0', '+2']) {
      expect([value, parsed(`id,a,b\n1,0.5,2\n2,${value},3\n`, ['a', 'b'])]).toEqual([value, null]);
    }
    // Text in the other columns is not its business.
    expect(parsed('id,a\nNaN,0.5\n"x\ny",1\n', ['a'])).toEqual([Float64Array.of(0.5, 1)]);
  });
});

describe('a helper thread of the parse', () => {
  it('that cannot load its module says so in its control word, for a caller blocked on it', () => {
    const control = new Int32Array(new SharedArrayBuffer(8));
    Atomics.store(control, 0, 1);
    moduleWorker(import.meta.url, 'no_such_module', { control });
    // The caller waits as FloatFieldsTeam does, on the word it set; the failure wakes it.
    expect(Atomics.wait(control, 0, 1, 20_000)).not.toBe('timed-out');
    expect(Atomics.load(control, 0)).toBe(LOAD_FAILED);
  });
});
