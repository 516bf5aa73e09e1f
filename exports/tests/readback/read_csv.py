"""Reads a CSV file with Python's csv module and pandas and prints the cells as JSON.
Usage: read_csv.py machine|excel-fr PATH

For excel-fr the file must start with a UTF-8 BOM, use ';' and a decimal comma; pandas reads
it with sep=';' and decimal=',' and the numeric columns come back as numbers.
"""

import csv
import sys

from common import clean, emit, require

(pd,) = require(["pandas"])


def main():
    dialect, path = sys.argv[1], sys.argv[2]
    with open(path, "rb") as f:
        raw = f.read()
    has_bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    delimiter = ";" if dialect == "excel-fr" else ","
    rows = list(csv.reader(text.splitlines(keepends=True), delimiter=delimiter, strict=True))
    frame = pd.read_csv(
        path,
        sep=delimiter,
        decimal="," if dialect == "excel-fr" else ".",
        encoding="utf-8-sig",
        keep_default_na=False,
        na_values=[""],
    )
    emit(
        {
            "bom": has_bom,
            "crlf": b"\r\n" in raw and raw.count(b"\r\n") >= len(rows),
            "header": rows[0],
            "rows": rows[1:],
            "pandas_dtypes": {c: str(t) for c, t in frame.dtypes.items()},
            "pandas_rows": [[clean(v) for v in r] for r in frame.itertuples(index=False)],
        }
    )


main()
