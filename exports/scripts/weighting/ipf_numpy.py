"""Plain unit-level raking (IPF) with NumPy, timed on the benchmark data written by
`cargo bench -p exports --bench raking`.

Usage: python3 ipf_numpy.py respondents.csv margins_1.csv [margins_2.csv ...]
Prints one line `ms=<milliseconds>` per margins file: the median of 3 runs of the IPF loop
(data already in memory as integer codes). Stops when the largest relative margin error is
at most 1e-10, like the Rust implementation.
"""

import csv
import statistics
import sys
import time

import numpy as np

TOLERANCE = 1e-10
MAX_SWEEPS = 1000
RUNS = 3


def read_respondents(path):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        columns = list(zip(*reader))
    return {name: np.asarray(values) for name, values in zip(header, columns)}


def read_margins(path, data):
    """Per margin: integer code per respondent and target per code."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    margins = []
    for variable in dict.fromkeys(r["variable"] for r in rows):
        names = variable.split(":")
        keys = np.char.add(data[names[0]], "")
        for name in names[1:]:
            keys = np.char.add(np.char.add(keys, ":"), data[name])
        categories, codes = np.unique(keys, return_inverse=True)
        targets = {r["category"]: float(r["target_total"]) for r in rows if r["variable"] == variable}
        margins.append((codes, np.array([targets[c] for c in categories])))
    return margins


def rake(margins, n):
    w = np.ones(n)
    for sweep in range(1, MAX_SWEEPS + 1):
        for codes, targets in margins:
            totals = np.bincount(codes, weights=w, minlength=len(targets))
            w *= (targets / totals)[codes]
        error = max(
            np.max(np.abs(np.bincount(codes, weights=w, minlength=len(t)) - t) / t)
            for codes, t in margins
        )
        if error <= TOLERANCE:
            return w, sweep
    raise RuntimeError("IPF did not converge")


def main():
    data = read_respondents(sys.argv[1])
    n = len(data["id"])
    for path in sys.argv[2:]:
        margins = read_margins(path, data)
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            rake(margins, n)
            times.append((time.perf_counter() - start) * 1000)
        print(f"ms={statistics.median(times):.0f}")


if __name__ == "__main__":
    main()
