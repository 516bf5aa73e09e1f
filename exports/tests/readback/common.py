"""Helpers shared by the readback scripts: dependency checks and JSON-safe values."""

import datetime
import json
import math
import sys


def require(module_names):
    """Import the given modules or exit 3 telling what to install."""
    modules = []
    for name in module_names:
        try:
            modules.append(__import__(name))
        except ImportError as exc:
            sys.stderr.write(
                f"readback needs the Python module `{name}` ({exc}).\n"
                "Install the readers with: pip install pyreadstat pandas pyarrow "
                "(and apt-get install -y pspp for the PSPP check).\n"
            )
            sys.exit(3)
    return modules


def clean(value):
    """Converts a cell to JSON: NaN/None/NaT -> null, dates -> "YYYY-MM-DD", numpy scalars ->
    Python numbers."""
    if value is None or str(value) == "NaT":
        return None
    if isinstance(value, datetime.datetime):
        # Dates come back as midnight timestamps from pandas-based readers.
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return value


def emit(payload):
    json.dump(payload, sys.stdout, ensure_ascii=False, sort_keys=True)
    sys.stdout.write("\n")
