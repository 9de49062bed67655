import pl from 'nodejs-polars';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { CsvChecker } from '../src/data/csv.ts';
import { type readFloatFields, readFloatFieldsInJs } from '../src/data/float_fields.ts';
import { FLOAT_FIELDS_HARD, nativeFloatFields } from '../src/numeric/native.ts';
import { LOAD_FAILED, moduleWorker } from '../src/runtime/module_worker.ts';

/**
 * The loader's own parsers of feature values, the JavaScript and its native twin (native/float_fields.c,
 * where built), each against two independent parsers: JavaScript's `Number` (V8's correctly rounded
 * string-to-double) value by value, and polars' CSV reader (Rust) on whole tables.
 */

type Read = typeof readFloatFields;
const native = nativeFloatFields();
/** Parts the native parser handed back to the JavaScript (a value it could not round alone). */
let handedBack = 0;
/** The native parser as the loader calls it. */
const nativeThenJs: Read = (...args) => {
  const read = native!(...args);
  if (read !== FLOAT_FIELDS_HARD) return read;
  handedBack++;
  return readFloatFieldsInJs(...args);
};
const parsers: [string, Read][] = [['JavaScript', readFloatFieldsInJs]];
if (native) parsers.push(['native', nativeThenJs]);

describe.each(parsers)('%s parser', (_, readFloatFields) => {
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
});

describe.skipIf(!native)(`the native parser${native ? '' : ' [skipped: the native addon is not loaded (not built, or ADS_NATIVE=0); its twin suites above run for JavaScript alone]'}`, () => {
  const rng = seedrandom('native-float-fields');
  const same = (a: ArrayBufferView, b: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

  it('decided every value of the suites above itself, handing no part back to the JavaScript', () => {
    expect(handedBack).toBe(0);
  });

  it('rounds 19-digit integers times every power of ten it takes (10^-44 … 10^44) as Number does', () => {
    // m·10^q is rounded from a table of 128-bit powers of five, one entry per q: each entry is checked here.
    const wrong: string[] = [];
    for (let q = -44; q <= 44; q++) {
      for (let n = 0; n < 300; n++) {
        let digits = String(1 + Math.floor(rng() * 9));
        while (digits.length < 16 + (n % 4)) digits += Math.floor(rng() * 10);
        const s = `${digits}e${q}`;
        const b = Buffer.from(`${s}\n`);
        const out = new Float64Array(1);
        const read = native!(b, 0, b.length, 1, Int32Array.of(0), 1, out, Buffer.alloc(b.length));
        if (read < 0 || !Object.is(out[0], Number(s))) wrong.push(`${s}: ${read < 0 ? read : out[0]} vs ${Number(s)}`);
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('gives the JavaScript’s result, values and copied fields on random texts, parts ending anywhere', () => {
    // Bytes that make numbers, break them, end fields and records, and quote: the statements that read past
    // a part's end, or reject a field, are met in every combination.
    const alphabet = '0123456789012345678901234567890123456789.-+eE,,,,\n\n\r"a';
    let differ = 0;
    let accepted = 0;
    for (let n = 0; n < 20_000; n++) {
      const length = 1 + Math.floor(rng() * 60);
      let text = '';
      for (let c = 0; c < length; c++) text += alphabet[Math.floor(rng() * alphabet.length)];
      const bytes = Buffer.from(text, 'latin1');
      const from = Math.floor(rng() * 3) === 0 ? Math.floor(rng() * length) : 0;
      const to = from + Math.floor(rng() * (length - from + 1));
      const width = 1 + Math.floor(rng() * 4);
      const slot = Int32Array.from({ length: width }, (_, f) => (rng() < 0.7 ? f : -1));
      const outs = [new Float64Array(8 * width).fill(7), new Float64Array(8 * width).fill(7)];
      const rests = [Buffer.alloc(Math.floor(rng() * 70)), Buffer.alloc(0)];
      rests[1] = Buffer.alloc(rests[0].length);
      const js = readFloatFieldsInJs(bytes, from, to, width, slot, width, outs[0], rests[0]);
      const ours = native!(bytes, from, to, width, slot, width, outs[1], rests[1]);
      if (js >= 0) accepted++;
      if (js !== ours || !same(outs[0], outs[1]) || !rests[0].equals(rests[1])) differ++;
    }
    expect(differ).toBe(0);
    // Not only rejections: a good share of the texts parse.
    expect(accepted).toBeGreaterThan(2_000);
  });

  it('refuses a part outside its text and arguments of the wrong kinds', () => {
    const b = Buffer.from('1,2\n');
    const out = new Float64Array(2);
    expect(() => native!(b, 0, b.length + 1, 2, Int32Array.of(0, 1), 2, out, Buffer.alloc(4))).toThrow(RangeError);
    expect(() => native!(b, 3, 2, 2, Int32Array.of(0, 1), 2, out, Buffer.alloc(4))).toThrow(RangeError);
    expect(() => native!(b, 0, b.length, 2, new Uint32Array(2) as unknown as Int32Array, 2, out, Buffer.alloc(4))).toThrow(TypeError);
    expect(() => native!(b, 0, b.length, 2, Int32Array.of(0, 1), 2, new Float32Array(2) as unknown as Float64Array, Buffer.alloc(4))).toThrow(TypeError);
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
