"""Reads a .dta file with pandas (an implementation independent of ReadStat) and prints its
dictionary and values as JSON. Usage: read_pandas_dta.py PATH

Extended missing values come back as ".a", ".b"...; system-missing as null.
"""

import sys

from common import clean, emit, require

(pd,) = require(["pandas"])


def cell(value):
    if isinstance(value, pd.io.stata.StataMissingValue):
        text = str(value)
        return None if text == "." else text
    return clean(value)


def label_key(code):
    """Stata stores labels of .a, .b... under 2147483622, 2147483623...: show them as ".a"."""
    if 2147483622 <= code <= 2147483647:
        return "." + chr(ord("a") + code - 2147483622)
    return str(code)


def main():
    path = sys.argv[1]
    # pandas cannot convert %td dates while keeping extended missing values (convert_missing):
    # dates are read without it, then put back.
    with pd.io.stata.StataReader(
        path, convert_categoricals=False, convert_missing=True, convert_dates=False
    ) as reader:
        df = reader.read()
        variable_labels = reader.variable_labels()
        value_labels = reader.value_labels()
        data_label = reader.data_label
    # Labelled values are read a second time as categoricals, as an analyst would.
    categorical = pd.read_stata(path, convert_categoricals=True)
    for name in categorical.columns:
        if pd.api.types.is_datetime64_any_dtype(categorical[name]):
            df[name] = categorical[name]
    emit(
        {
            "file_label": data_label,
            "names": list(df.columns),
            "variable_labels": variable_labels,
            "value_labels": {
                name: {label_key(code): label for code, label in labels.items()}
                for name, labels in value_labels.items()
            },
            "row_count": len(df),
            "rows": [[cell(v) for v in record] for record in df.itertuples(index=False)],
            "categorical_first_row": {
                name: clean(categorical[name].iloc[0])
                for name in categorical.columns
                if isinstance(categorical[name].dtype, pd.CategoricalDtype)
            },
        }
    )


main()
