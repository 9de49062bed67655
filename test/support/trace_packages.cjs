// Preloaded (`node --require`) into a command under test: appends every package the process loads to the file
// $ADS_TRACE_PACKAGES, a name a line. CommonJS loads (require, createRequire, and an ES import of a CommonJS
// package) go through Module._load; ES imports are seen by a resolve hook (trace_packages_hooks.mjs).
const { appendFileSync } = require('node:fs');
const Module = require('node:module');
const { pathToFileURL } = require('node:url');

const file = process.env.ADS_TRACE_PACKAGES;
const load = Module._load;
Module._load = function (request, ...rest) {
  if (!/^(\.|\/|node:)/.test(request)) appendFileSync(file, `${request}\n`);
  return load.call(this, request, ...rest);
};
Module.register(pathToFileURL(require.resolve('./trace_packages_hooks.mjs')));
