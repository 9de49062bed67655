"""Oracle for the Parquet writer's column types: how pyarrow (and pandas) read a table written by
`writeColumnsParquet`. Writes test/fixtures/parquet_types.json from test/fixtures/parquet_types.parquet.

    npx tsx test/oracles/parquet_types_write.ts      # the table, written by the project's writer
    /work/venv/bin/python test/oracles/parquet_types.py
"""
import json
import math
from pathlib import Path

import pandas as pd
import pyarrow
import pyarrow.parquet as pq

fixtures = Path(__file__).resolve().parents[1] / "fixtures"
path = fixtures / "parquet_types.parquet"
table = pq.read_table(path)
rows = [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in table.to_pylist()]
out = {
    "pyarrow": pyarrow.__version__,
    "pandas": pd.__version__,
    "schema": {f.name: str(f.type) for f in table.schema},
    "metadata": None if pq.ParquetFile(path).metadata.metadata is None else {k.decode(): "…" for k in pq.ParquetFile(path).metadata.metadata},
    "pandas_dtypes": {k: str(v) for k, v in pd.read_parquet(path).dtypes.items()},
    "rows": rows,
}
(fixtures / "parquet_types.json").write_text(json.dumps(out, indent=1) + "\n")
print(json.dumps(out["schema"]))
