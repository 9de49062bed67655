/**
 * A worker process of `ads run --jobs N` (started by pool.ts): it runs whole runs, one at a time, as its
 * parent sends them, and tells the parent what happens (stage, progress, outcome). Each run goes through
 * the same `runSequentially` as a run in the parent would (skip rules, lock, lifecycle), so its outputs are the
 * same bytes; tfjs and its backend are this process's own. It also writes the experiment's TensorBoard
 * summary when asked, since it holds the pipeline whose stages name the metrics.
 */
import { errorMessage, fileSystemCode } from './fs_errors.ts';
import { interruptAll } from './interrupt.ts';
import type { RunOutcome } from './lifecycle.ts';
import { runSequentially } from './sequential.ts';
import { writeExperimentSummary } from './tensorboard.ts';
import { PIPELINE } from '../stages/pipeline.ts';
import type { FromWorker, ToWorker } from './pool.ts';
import type { AnyStage } from './stage.ts';

const send = (message: FromWorker) => process.send!(message);
let busy = false;

/** Ends a run under way as failed, with `reason` (its lock released), then leaves. */
function stop(reason: string, code: number): never {
  interruptAll(reason);
  process.exit(code);
}

// Ctrl-C reaches every process of the terminal's group, this one too; `kill` of the parent alone is passed on
// as an 'interrupt' message. Either way the run under way is marked failed before the process exits.
process.on('SIGINT', () => stop('interrupted (SIGINT)', 130));
process.on('SIGTERM', () => stop('interrupted (SIGTERM)', 143));
// The parent is gone (killed outright): nobody will collect this run, so it ends now rather than runs on unseen.
process.on('disconnect', () => (busy ? stop('interrupted (the ads process that started this worker ended)', 1) : process.exit(0)));

process.on('message', (message: ToWorker) => {
  if (message.type === 'interrupt') stop(message.reason, 1);
  if (message.type === 'summary') {
    try {
      writeExperimentSummary(message.root, message.spec, message.planned, PIPELINE.stages);
      send({ type: 'summary' });
    } catch (err) {
      send({ type: 'summary', error: errorMessage(err), code: fileSystemCode(err) ?? undefined });
    }
    return;
  }
  const { job } = message;
  const stages = job.stages?.map((name) => PIPELINE.stages.find((s) => s.name === name));
  const unknown = job.stages?.filter((_, i) => stages![i] === undefined) ?? [];
  if (unknown.length > 0) {
    send({ type: 'outcome', outcome: { status: 'failed', error: `internal: stage '${unknown[0]}' is not one of the pipeline's, so a worker process cannot run it` } });
    return;
  }
  busy = true;
  runSequentially([job.run], {
    runsDir: job.runsDir,
    force: job.force,
    plain: job.plain,
    subdir: job.subdir,
    stages: stages as AnyStage[] | undefined,
    until: job.until,
    pruning: job.pruning,
    cache: job.cache,
    runsAtOnce: job.runsAtOnce,
    events: {
      stage: (name) => send({ type: 'stage', name }),
      progress: (text) => send({ type: 'progress', text }),
      skip: (text) => send({ type: 'skip', text }),
    },
  })
    .then(([outcome]: RunOutcome[]) => {
      const { run: _run, ...rest } = outcome ?? { run: job.run, status: 'failed', error: 'the run ended without an outcome' };
      send({ type: 'outcome', outcome: rest });
    })
    .catch((err: unknown) => send({ type: 'outcome', outcome: { status: 'failed', error: `runner: ${err instanceof Error ? err.message : String(err)}` } }))
    .finally(() => (busy = false));
});
