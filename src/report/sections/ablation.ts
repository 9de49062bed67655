import { metricDirection, metricPath, spreadMetric } from '../aggregate.ts';
import { type Block, figure, type Section, section, text } from '../blocks.ts';
import { metricName } from '../format.ts';
import { metricVsSetting, type SettingDatum } from '../figures/metric_vs_setting.ts';
import { ANOMALY, type SectionContext } from './context.ts';

/** The autoencoder's own score, drawn with the anomaly representation it yields. */
const TRAINING_LOSS = 'training.best_val_loss';

/**
 * Each scored metric against each swept numeric setting with at least two values: the ablation plots.
 * Points that differ in other swept settings too are kept on separate lines.
 */
export function ablationSection(ctx: SectionContext): Section[] {
  const settings = numericSettings(ctx.points.map((g) => g.point));
  if (!settings.length) return [];
  const scored = ctx.catalog.perRepresentation.filter((m) => metricDirection(m.template) === 'higher');
  const series = [
    ...scored.map((m) => ({ name: metricName(m.template), reps: m.representations, path: (rep: string) => metricPath(m.template, rep) })),
    ...(ctx.catalog.shared.includes(TRAINING_LOSS) ? [{ name: 'best val loss (autoencoder)', reps: [ANOMALY], path: () => TRAINING_LOSS }] : []),
  ];
  if (!series.length) return [];
  const reps = [...new Set(series.flatMap((s) => s.reps))];
  const blocks: Block[] = [text('Each metric against a swept setting; lines join points that differ only in that setting.')];
  for (const setting of settings) {
    const data: SettingDatum[] = ctx.points.flatMap((g) => {
      const others = Object.entries(g.point)
        .filter(([k]) => k !== setting)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(', ');
      return series.flatMap((s) =>
        s.reps.flatMap((rep) => {
          const sum = spreadMetric(g.runs, s.path(rep));
          return sum ? [{ metric: s.name, x: g.point[setting] as number, representation: rep, others, ...sum }] : [];
        }),
      );
    });
    blocks.push(
      figure(
        `metrics_vs_${setting.replace(/[^A-Za-z0-9_-]+/g, '_')}`,
        `Every scored metric against ${setting}, mean over seeds with its 95% bootstrap interval`,
        metricVsSetting(data, { setting, metrics: series.map((s) => s.name), representations: reps }),
      ),
    );
  }
  return [section('Metrics against swept settings', blocks)];
}

/** Swept settings whose values are all numbers, with at least two distinct values. */
function numericSettings(points: readonly Record<string, unknown>[]): string[] {
  const keys = [...new Set(points.flatMap((p) => Object.keys(p)))];
  return keys.filter((k) => points.every((p) => typeof p[k] === 'number') && new Set(points.map((p) => p[k])).size >= 2);
}
