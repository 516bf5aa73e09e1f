"""Times pyreadstat.write_sav on the benchmark data, for `cargo bench -p exports --bench sav`.
Usage: pyreadstat_write_sav.py DATA.parquet OUTPUT_DIR RUNS

The data and its labels come from the Parquet file written by the benchmark (labels in the
`survey` field metadata), so both writers get the same values, labels and missing codes.
Only the write_sav call is timed.
"""

import json
import os
import sys
import time

try:
    import pyarrow.parquet as pq
    import pyreadstat
except ImportError as exc:
    sys.stderr.write(f"{exc}: pip install pyreadstat pandas pyarrow\n")
    sys.exit(3)


def main():
    parquet, out_dir, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    table = pq.read_table(parquet)
    df = table.to_pandas()
    labels, value_labels, missing, measures = {}, {}, {}, {}
    for field in table.schema:
        meta = json.loads(field.metadata[b"survey"])
        labels[field.name] = meta["label"]
        measures[field.name] = meta["measure"]
        if meta["value_labels"]:
            value_labels[field.name] = {float(k): v for k, v in meta["value_labels"].items()}
        if meta["missing_values"]:
            missing[field.name] = [float(v) for v in meta["missing_values"]]
    for mode, row_compress in (("bytecode", True), ("uncompressed", False)):
        path = os.path.join(out_dir, f"pyreadstat-{mode}.sav")
        best = float("inf")
        for _ in range(runs):
            start = time.perf_counter()
            pyreadstat.write_sav(
                df,
                path,
                file_label="Banc d'essai SAV",
                column_labels=labels,
                variable_value_labels=value_labels,
                missing_ranges=missing,
                variable_measure=measures,
                row_compress=row_compress,
            )
            best = min(best, time.perf_counter() - start)
        size = os.path.getsize(path) / 1e6
        print(f"  pyreadstat {pyreadstat.__version__:<9} {mode:<13} {best:>7.3f} s  {size:>7.1f} MB", flush=True)


main()
