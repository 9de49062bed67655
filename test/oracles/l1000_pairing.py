"""Oracle for the L1000 modality: the reference's own pandas steps on a small paired table.

Writes test/fixtures/l1000/{cell_painting.csv, l1000.csv, oracle.json}. The tables are random (numpy, seed 7)
in the rosetta layouts; the oracle is what zaritskylab/AnomalyDetectionScreening src/data/data_utils.py does:
  - read_replicate_level_profiles: L1000 features are the columns containing '_at'; interpolate(); then
    standardize_per_catX(l1k, 'det_plate', features): groupby(plate).transform((x - x.mean()) / x.std())
  - read_treatment_level_profiles (by_dose False): each assay's cpd_col renamed PERT,
    groupby('PERT')[features].mean()
  - read_paired_treatment_level_profiles: pd.merge(cp_treat, l1k_treat, how='inner', on='PERT')
Run: /work/venv/bin/python test/oracles/l1000_pairing.py
"""
import json
import os

import numpy as np
import pandas as pd

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, '..', 'fixtures', 'l1000')
rng = np.random.default_rng(7)

# Cell Painting: 3 plates, 6 DMSO wells each, compounds C01..C08 with 3 wells each (C08 only in Cell Painting).
cp_rows = []
for p in range(3):
    for c in range(6):
        cp_rows.append({'Metadata_Plate': f'P{p}', 'Metadata_pert': 'DMSO', 'Metadata_role': 'control', 'Metadata_moa': None})
moas = ['a', 'a', 'b', 'b', 'c', 'c', 'd', 'd']
for k in range(8):
    for r in range(3):
        cp_rows.append({'Metadata_Plate': f'P{(k + r) % 3}', 'Metadata_pert': f'C{k + 1:02d}', 'Metadata_role': 'treated', 'Metadata_moa': moas[k]})
cp = pd.DataFrame(cp_rows)
for j in range(5):
    cp[f'Cells_F{j}'] = rng.normal(size=len(cp)) * (1 + j) + 10 * j
cp.to_csv(os.path.join(out, 'cell_painting.csv'), index=False)

# L1000: 2 plates (det_plate), 5 DMSO wells each; compounds C01..C07 with 2-4 wells, plus X99 (not in Cell
# Painting); one missing value to interpolate.
l1k_rows = []
for p in range(2):
    for c in range(5):
        l1k_rows.append({'pert_id': 'DMSO', 'det_plate': f'L{p}', 'det_well': f'A{c:02d}', 'pert_dose': 0.0})
for k, n in enumerate([2, 3, 4, 2, 3, 4, 2]):
    for r in range(n):
        l1k_rows.append({'pert_id': f'C{k + 1:02d}', 'det_plate': f'L{(k + r) % 2}', 'det_well': f'B{k}{r}', 'pert_dose': 10.0})
for r in range(2):
    l1k_rows.append({'pert_id': 'X99', 'det_plate': f'L{r}', 'det_well': f'C0{r}', 'pert_dose': 10.0})
l1k = pd.DataFrame(l1k_rows)
genes = [f'{200000 + j}_at' for j in range(6)] + ['201453_x_at']
for j, g in enumerate(genes):
    l1k[g] = rng.normal(size=len(l1k)) * (2 + j) - 3 * j
l1k.loc[7, genes[2]] = np.nan
l1k.to_csv(os.path.join(out, 'l1000.csv'), index=False)

# The reference's steps.
l1k = pd.read_csv(os.path.join(out, 'l1000.csv'))
features = l1k.columns[l1k.columns.str.contains('_at')].tolist()
l1k[features] = l1k[features].interpolate()
z = l1k.copy()
z[features] = l1k[features + ['det_plate']].groupby('det_plate').transform(lambda x: (x - x.mean()) / x.std()).values

cp = pd.read_csv(os.path.join(out, 'cell_painting.csv'))
cp_features = cp.columns[cp.columns.str.contains('Cells_|Cytoplasm_|Nuclei_')].tolist()
cp_t = cp[cp.Metadata_role != 'control'].rename(columns={'Metadata_pert': 'PERT'})
l1k_t = z[z.pert_id != 'DMSO'].rename(columns={'pert_id': 'PERT'})
cp_treat = cp_t.groupby('PERT')[cp_features].mean().reset_index()
l1k_treat = l1k_t.groupby('PERT')[features].mean().reset_index()
merged = pd.merge(cp_treat, l1k_treat, how='inner', on='PERT')

json.dump(
    {
        'features': features,
        'zscored': z[features].values.tolist(),
        'paired': {'PERT': merged.PERT.tolist(), 'cell_painting': merged[cp_features].values.tolist(), 'l1000': merged[features].values.tolist()},
        'versions': {'pandas': pd.__version__, 'numpy': np.__version__},
    },
    open(os.path.join(out, 'oracle.json'), 'w'),
    indent=1,
)
print('wrote', out)
