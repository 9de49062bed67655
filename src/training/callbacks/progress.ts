import type { Callback, EpochLogs } from '../fit.ts';

export interface ProgressUpdate extends EpochLogs {
  /** 1-based, for display. */
  epoch: number;
  max_epochs: number;
}

/**
 * Reports each epoch to a function of the caller's (the CLI passes a listr2 task's output setter), as a
 * ready-to-show line and as numbers.
 */
export function progress(report: (line: string, update: ProgressUpdate) => void): Callback {
  let maxEpochs = 0;
  return {
    onTrainStart({ max_epochs }) {
      maxEpochs = max_epochs;
    },
    onEpochEnd(epoch, logs) {
      const update: ProgressUpdate = { ...logs, epoch: epoch + 1, max_epochs: maxEpochs };
      const line =
        `epoch ${update.epoch}/${maxEpochs}  loss ${fmt(logs.loss)}  val_loss ${fmt(logs.val_loss)}  ` +
        `lr ${logs.lr.toExponential(1)}  ${logs.seconds.toFixed(2)}s`;
      report(line, update);
    },
  };
}

function fmt(x: number): string {
  return x.toPrecision(4);
}
