"""Reads a .sav or .dta file with pyreadstat (ReadStat) and prints its dictionary and values
as JSON. Usage: read_pyreadstat.py sav|dta PATH

Declared missing values are kept (user_missing=True): SPSS user-missing codes come back as
their numbers, Stata extended missing values as ".a", ".b"...

pyreadstat 1.3.7 returns garbage for a Stata system-missing value in a column that also holds
extended missing values when user_missing=True, so .dta files are read twice and the plain
read decides which cells are missing.
"""

import sys

from common import clean, emit, require

(pyreadstat,) = require(["pyreadstat"])


def main():
    kind, path = sys.argv[1], sys.argv[2]
    if kind == "sav":
        df, meta = pyreadstat.read_sav(path, user_missing=True)
        plain = df
    else:
        df, meta = pyreadstat.read_dta(path, user_missing=True)
        plain, _ = pyreadstat.read_dta(path)
    missing = {}
    for name, ranges in (meta.missing_ranges or {}).items():
        missing[name] = [r["lo"] for r in ranges if r["lo"] == r["hi"]]
    for name, values in (getattr(meta, "missing_user_values", None) or {}).items():
        missing.setdefault(name, [])
        missing[name].extend(f".{v}" if isinstance(v, str) else v for v in values)
    rows = []
    numeric = {name: not meta.readstat_variable_types[name] == "string" for name in meta.column_names}
    for record, plain_record in zip(df.itertuples(index=False), plain.itertuples(index=False)):
        row = []
        for name, value, plain_value in zip(meta.column_names, record, plain_record):
            value, plain_value = clean(value), clean(plain_value)
            if kind == "dta" and numeric[name] and plain_value is None:
                # Extended missing .a comes back as the letter "a"; anything else is ".".
                is_letter = isinstance(value, str) and len(value) == 1 and value.isalpha()
                value = "." + value if is_letter else None
            row.append(value)
        rows.append(row)
    value_labels = {}
    for name, labels in meta.variable_value_labels.items():
        value_labels[name] = {
            (f".{k}" if isinstance(k, str) else str(int(k)) if float(k).is_integer() else str(k)): v
            for k, v in labels.items()
        }
    emit(
        {
            "file_label": meta.file_label,
            "notes": list(meta.notes or []),
            "names": list(meta.column_names),
            "variable_labels": dict(zip(meta.column_names, meta.column_labels)),
            "value_labels": value_labels,
            "missing": missing,
            "measures": dict(meta.variable_measure) if kind == "sav" else {},
            "formats": dict(meta.original_variable_types),
            "row_count": meta.number_rows,
            "rows": rows,
        }
    )


main()
