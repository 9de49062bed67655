"""pandas oracle for the reference's highest-dose rule (test/highest_dose.test.ts reads its output).

Writes test/fixtures/highest_dose_reference.json: a small table of control and treated wells (its exact
inputs) and, for n = 2, 3 and 5, what the reference's evaluation-time preparation gives on it, with the
reference's own function bodies (zaritskylab/AnomalyDetectionScreening, src/data/data_utils.py):

- standardize_per_catX: every feature z-scored per plate over all the plate's wells, pandas std (ddof 1);
- the treated wells (load_zscores, sample='treated': role != mock);
- filter_data_by_highest_dose with label_col = the compound, dose_col = the dose and n_per_dose = n
  (the body below is the reference's, verbatim but for the names);
- reset_index, then df[features].interpolate() as replicateCorrs does before correlating.

The table is built so that the rule's corners show: a compound whose top dose has too few wells (evaluated
at a lower dose), one with no dose of n wells (dropped), a top dose with more than n wells (the first n in
table order are kept), compounds whose order differs between character codes and natural order
('B10' < 'B2' < 'a'), wells interleaved across plates, and a feature constant on one plate, whose undefined
z-scores are interpolated from whichever rows the sort puts next to them.

Run from the repository root: /path/to/python test/oracles/highest_dose.py (numpy, pandas).
"""

import json
import pathlib

import numpy as np
import pandas as pd


def standardize_per_catX(df, column_name, cp_features):
    df_scaled_perPlate = df.copy()
    df_scaled_perPlate[cp_features] = (
        df[cp_features + [column_name]].groupby(column_name).transform(lambda x: (x - x.mean()) / x.std()).values
    )
    return df_scaled_perPlate


def filter_data_by_highest_dose(df, label_col, dose_col, n_per_dose):
    df = df[df.groupby([label_col, dose_col]).transform('size') > (n_per_dose - 1)]
    # take for each compound all the replicates with the highest dose. there can be more than one replicate with the highest dose
    df = df.sort_values(by=[label_col, dose_col], ascending=False).groupby([label_col]).head(n_per_dose)
    # keep only compounds with more than 4 replicates
    df = df[df.groupby([label_col])[label_col].transform('size') > (n_per_dose - 1)]
    return df


def table():
    rng = np.random.default_rng(7)
    # (compound, dose, wells): see the module docstring for what each group is for.
    groups = [
        ('B2', 10.0, 2), ('B2', 3.3333, 4), ('B2', 1.1111, 3),
        ('A', 10.0, 3), ('A', 3.3333, 5),
        ('C', 10.0, 1), ('C', 1.1111, 2),
        ('a', 5.0, 6),
        ('B10', 0.37037, 5), ('B10', 0.12346, 2),
    ]
    wells = [(c, d) for c, d, k in groups for _ in range(k)]
    wells += [('DMSO', 0.0)] * 9
    order = rng.permutation(len(wells))
    wells = [wells[i] for i in order]
    plates = [f'P{i % 3 + 1}' for i in range(len(wells))]
    n = len(wells)
    f1 = np.round(rng.normal(size=n), 6)
    f2 = np.round(rng.normal(size=n), 6)
    f3 = np.round(rng.normal(size=n), 6)
    # f2 is constant on plate P2: its z-scores there are undefined (0/0) and get interpolated.
    f2 = np.where(np.array(plates) == 'P2', 0.5, f2)
    return pd.DataFrame({
        'Metadata_row': np.arange(n),
        'Metadata_Plate': plates,
        'Metadata_role': ['mock' if c == 'DMSO' else 'trt' for c, _ in wells],
        'Metadata_cpd': [c for c, _ in wells],
        'Metadata_dose': [d for _, d in wells],
        'Cells_f1': f1,
        'Cells_f2': f2,
        'Cells_f3': f3,
    })


def reference_prepare(df, features, n):
    z = standardize_per_catX(df, 'Metadata_Plate', features)
    treated = z.query("Metadata_role != 'mock'")
    kept = filter_data_by_highest_dose(treated, 'Metadata_cpd', 'Metadata_dose', n).reset_index(drop=True)
    filled = kept.copy()
    filled[features] = kept[features].interpolate()
    return kept, filled


def main():
    df = table()
    features = ['Cells_f1', 'Cells_f2', 'Cells_f3']
    cases = []
    for n in (2, 3, 5):
        kept, filled = reference_prepare(df, features, n)
        values = filled[features].to_numpy()
        cases.append({
            'n': n,
            'rows': kept['Metadata_row'].tolist(),
            'compound': kept['Metadata_cpd'].tolist(),
            'dose': kept['Metadata_dose'].tolist(),
            # pandas leaves a leading gap missing; null here, and the test checks that the table has none.
            'values': [[None if np.isnan(v) else float(v) for v in row] for row in values],
            'undefined_before_fill': int(kept[features].isna().to_numpy().sum()),
        })
    out = {
        'made_by': f'test/oracles/highest_dose.py with pandas {pd.__version__}, numpy {np.__version__}',
        'features': features,
        'input': {c: df[c].tolist() for c in df.columns},
        'cases': cases,
    }
    path = pathlib.Path(__file__).resolve().parents[1] / 'fixtures' / 'highest_dose_reference.json'
    path.write_text(json.dumps(out, indent=1) + '\n')
    print(f'wrote {path}')
    for c in cases:
        print(c['n'], list(zip(c['compound'], c['dose'], c['rows'])), 'undefined before fill:', c['undefined_before_fill'])


if __name__ == '__main__':
    main()
