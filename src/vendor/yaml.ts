/**
 * The `yaml` package, which every command that reads a spec loads. From the sources (tsx, the tests) this
 * module is the package itself. `npm run build` replaces its compiled form, dist/vendor/yaml.js, with the
 * package bundled into that one file (scripts/bundle-yaml.ts): loading the package's 52 modules one by one
 * costs about 50 ms of every start on these machines (a sixth of `ads validate`), the bundle about 11 ms.
 */
export * from 'yaml';
