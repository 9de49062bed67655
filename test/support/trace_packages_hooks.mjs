// The ES-module half of trace_packages.cjs: every bare specifier an import resolves, to $ADS_TRACE_PACKAGES.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  if (!/^(\.|\/|node:|file:|data:)/.test(specifier)) appendFileSync(process.env.ADS_TRACE_PACKAGES, `${specifier}\n`);
  return next(specifier, context);
}
