import { DataError } from '../errors.ts';
import { type Matrix, matrix, selectRows } from '../numeric/matrix.ts';
import { groupRows, metaColumn, type Profiles } from '../data/profiles.ts';
import { type Affine, applyAffineToRows } from './normalize/affine.ts';
import { fitMadRobustize } from './normalize/mad_robustize.ts';
import { fitRobustize } from './normalize/robustize.ts';
import { applySpherize, fitSpherize, type SpherizeSettings, spherizedFeatures } from './normalize/spherize.ts';
import { fitStandardize } from './normalize/standardize.ts';

export type { SpherizeMethod, SpherizeSettings } from './normalize/spherize.ts';

export type NormalizeMethod = 'standardize' | 'robustize' | 'mad_robustize' | 'spherize' | 'none';

/** Fully resolved settings (defaults live in the spec schema, not here). */
export interface NormalizeSettings {
  readonly method: NormalizeMethod;
  /** Fit and apply separately within each plate (pycytominer run once per plate). */
  readonly by_plate: boolean;
  readonly mad_epsilon: number;
  readonly spherize: SpherizeSettings;
}

/** Which wells the scaler is fitted on, and how plates are told apart. */
export interface NormalizeScope {
  readonly plateColumn: string;
  /** Row indices of the fit wells (e.g. the train controls); the scaler is applied to every row. */
  readonly fitRows: ArrayLike<number>;
}

/**
 * pycytominer's `normalize(samples=<fit rows>)`: fit the method on the fit rows (per plate when `by_plate`,
 * on that plate's fit rows) and apply it to all rows. Rows keep their order; metadata is untouched.
 * PCA spherizing renames the features PC1..PCd.
 * `inPlace`: the result is written over p's own matrix, for a caller that owns it and needs it no more (a
 * screen-sized table is then held once, not twice). Each row is read before it is written, and a plate's
 * scaler is fitted before any of its rows is.
 */
export function normalize(p: Profiles, settings: NormalizeSettings, scope: NormalizeScope, inPlace = false): Profiles {
  if (settings.method === 'none') return p;
  const fitter = scalerFor(settings.method, settings, p.features);
  const allRows = Array.from({ length: p.values.rows }, (_, i) => i);
  const groups = settings.by_plate ? [...groupRows(metaColumn(p, scope.plateColumn)).entries()] : [['all wells', allRows] as const];
  const isFit = new Uint8Array(p.values.rows);
  for (let k = 0; k < scope.fitRows.length; k++) isFit[scope.fitRows[k]] = 1;
  // Every method keeps the feature count (spherizing is d → d), so rows can be written in place.
  const out = inPlace ? p.values : matrix(p.values.rows, p.values.cols);
  for (const [plate, rows] of groups) {
    const fitRows = rows.filter((i) => isFit[i] === 1);
    if (fitRows.length === 0) {
      // A plate whose few controls all went to validation or test: the scaler has nothing to be fitted on there.
      throw new DataError(
        `plate '${String(plate)}' (${rows.length} wells) has none of the wells its ${settings.method} scaler is fitted on (normalize.fit_on); ` +
          'give each plate more controls, fit on other wells (normalize.fit_on: all_controls) or normalize across plates (normalize.by_plate: false)',
      );
    }
    const fitted = fitter(selectRows(p.values, fitRows));
    if ('center' in fitted) {
      applyAffineToRows(p.values, fitted, rows, out);
    } else {
      const scaled = fitted(selectRows(p.values, rows));
      rows.forEach((i, k) => out.data.set(scaled.data.subarray(k * out.cols, (k + 1) * out.cols), i * out.cols));
    }
  }
  const features = settings.method === 'spherize' ? spherizedFeatures(settings.spherize.method, p.features) : p.features;
  return { metadata: p.metadata, features, values: out };
}

/** A fitted scaler: per-feature affine ones are applied row by row in place; spherizing maps a matrix. */
type Fitter = (fit: Matrix) => Affine | ((x: Matrix) => Matrix);

function scalerFor(method: Exclude<NormalizeMethod, 'none'>, settings: NormalizeSettings, features: readonly string[]): Fitter {
  switch (method) {
    case 'standardize':
      return fitStandardize;
    case 'robustize':
      return fitRobustize;
    case 'mad_robustize':
      return (fit) => fitMadRobustize(fit, settings.mad_epsilon);
    case 'spherize':
      return (fit) => {
        const s = fitSpherize(fit, settings.spherize, features);
        return (x) => applySpherize(x, s);
      };
  }
}
