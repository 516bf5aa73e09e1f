"""Reads a Parquet file with pyarrow and prints its schema, metadata and values as JSON.
Usage: read_pyarrow_parquet.py PATH
"""

import json
import sys

from common import clean, emit, require

(pq,) = require(["pyarrow.parquet"])
pq = sys.modules["pyarrow.parquet"]


def main():
    path = sys.argv[1]
    table = pq.read_table(path)
    file_meta = pq.read_metadata(path).metadata or {}
    emit(
        {
            "names": table.column_names,
            "types": {f.name: str(f.type) for f in table.schema},
            "field_metadata": {
                f.name: json.loads(f.metadata[b"survey"]) for f in table.schema if f.metadata
            },
            "file_metadata": {
                k.decode(): v.decode() for k, v in file_meta.items() if k != b"ARROW:schema"
            },
            "row_count": table.num_rows,
            "rows": [[clean(v) for v in row.values()] for row in table.to_pylist()],
        }
    )


main()
