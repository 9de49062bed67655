import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ads as run } from './support/cli.ts';

const ads = (...args: string[]) => run(args);

describe('the ads command', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ads-cli-'));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('documents every command and option', async () => {
    const main = await ads('--help');
    expect(main.code).toBe(0);
    for (const cmd of ['run', 'validate', 'plan', 'report']) {
      expect(main.stdout).toContain(cmd);
      const help = await ads(cmd, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`Usage: ads ${cmd}`);
      expect(help.stdout).toContain('--set');
    }
    expect((await ads('run', '--help')).stdout).toMatch(/--runs-dir DIR[\s\S]*--reports-dir DIR[\s\S]*--force/);
  });

  it('rejects a bad spec with a located message, exit code 2 and no stack trace', async () => {
    const cases: [string, string, RegExp][] = [
      ['type.yaml', 'experiment: x\nmodel:\n  latent: many\n', /type\.yaml:3:11: model\.latent: /],
      ['unknown.yaml', 'experiment: x\nmodel:\n  latnet: 8\n', /unknown\.yaml:3:3: model\.latnet: unknown setting; did you mean "latent"\?/],
      ['yaml.yaml', 'experiment: x\nmodel: [1, 2\n', /yaml\.yaml:\d+:\d+:/],
      ['empty.yaml', '', /empty\.yaml:1:1: empty spec/],
    ];
    for (const [name, text, pattern] of cases) {
      const r = await ads('validate', write(name, text));
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toMatch(pattern);
      expect(r.stderr, name).not.toMatch(/^\s+at /m);
    }
  });

  it('plans a grid × seeds sweep as the product of its sizes', async () => {
    const spec = write('grid.yaml', 'experiment: g\nsweep:\n  grid: { model.latent: [4, 8, 16], training.lr: [0.01, 0.001] }\n  seeds: [1, 2]\n');
    const r = await ads('plan', spec);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('12 runs planned for experiment g');
    const json = JSON.parse((await ads('plan', spec, '--json')).stdout);
    expect(json.count).toBe(12);
    expect(new Set(json.runs.map((x: { runId: string }) => x.runId)).size).toBe(12);
  });

  it('refuses unknown commands and options with exit code 2', async () => {
    expect((await ads('frobnicate')).code).toBe(2);
    const r = await ads('plan', '--bogus');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--bogus');
  });
});
