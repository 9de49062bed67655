import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'absent';
  }
}

/** Versions recorded in every manifest: enough to tell which code produced a number. */
export function toolVersions(): Record<string, string> {
  const own = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return {
    ads: own.version,
    node: process.versions.node,
    // The tfjs that runs: its core (tfjs-layers is released with it, at the same version).
    tfjs: packageVersion('@tensorflow/tfjs-core'),
    'tfjs-backend-wasm': packageVersion('@tensorflow/tfjs-backend-wasm'),
    'nodejs-polars': packageVersion('nodejs-polars'),
  };
}
