import { PRESET_TIMER, PRESET_TIMESTAMP } from 'listr2';
import type { PlannedRun } from '../sweep/expand.ts';

/** How runs show while they go: their titles, progress lines and the task list's options, for one process or a pool. */

export function runTitle(run: PlannedRun): string {
  const point = Object.entries(run.point)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
  return `${run.runId} ${point ? `${point} ` : ''}seed=${run.seed}`;
}

/** In plain mode, at most one progress line every few seconds: logs stay readable over 500 epochs. */
export function throttled(emit: (msg: string) => void, plain: boolean): (msg: string) => void {
  if (!plain) return emit;
  let last = 0;
  return (msg) => {
    const now = Date.now();
    if (now - last >= 5000) {
      last = now;
      emit(msg);
    }
  };
}

/**
 * The task list's options, for one process's runs (here) and a pool's (pool.ts). Signals are the CLI's: it marks
 * the running run failed and exits 130/143 (listr2's own handler would exit 127).
 */
export function listOptions(o: { concurrent: boolean | number; renderer: 'silent' | 'simple' | 'default'; plain: boolean }): never {
  return {
    concurrent: o.concurrent,
    exitOnError: false,
    registerSignalListeners: false,
    renderer: o.renderer,
    rendererOptions: o.plain ? { timestamp: PRESET_TIMESTAMP, timer: PRESET_TIMER } : { collapseSubtasks: false },
    fallbackRenderer: 'simple',
    fallbackRendererOptions: { timestamp: PRESET_TIMESTAMP, timer: PRESET_TIMER },
  } as never;
}
