"""Reads a .sav file with GNU PSPP (an implementation independent of ReadStat) and prints its
dictionary and values as JSON. Usage: read_pspp_sav.py PATH

Runs `SYSFILE INFO` + `GET FILE` + `DISPLAY DICTIONARY` + `LIST` with CSV output and parses
the tables. Values are the formatted strings PSPP lists (numbers per their print format, e.g.
".500000").
"""

import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile

from common import emit


def tables(text):
    """Splits PSPP CSV output into {title: rows}; quoted cells may span lines."""
    result = {}
    title = None
    for row in csv.reader(io.StringIO(text)):
        if len(row) == 1 and row[0].startswith("Table: "):
            title = row[0][len("Table: "):]
            result[title] = []
        elif row and title is not None and not row[0].startswith("Footnote: "):
            result[title].append(row)
    return result


def main():
    if shutil.which("pspp") is None:
        sys.stderr.write("readback needs GNU PSPP: apt-get install -y pspp\n")
        sys.exit(3)
    path = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        syntax = os.path.join(tmp, "read.sps")
        output = os.path.join(tmp, "out.csv")
        quoted = path.replace("'", "''")
        with open(syntax, "w", encoding="utf-8") as f:
            f.write(
                f"SYSFILE INFO FILE='{quoted}'.\n"
                f"GET FILE='{quoted}'.\nDISPLAY DICTIONARY.\nLIST.\n"
            )
        run = subprocess.run(
            ["pspp", "-O", "format=csv", "-o", output, syntax],
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            sys.stderr.write(run.stdout + run.stderr)
            sys.exit(1)
        with open(output, encoding="utf-8") as f:
            text = f.read()
    parsed = tables(text)
    variables = parsed["Variables"]
    header = variables[0]
    column = {name: header.index(name) for name in header}
    names, labels, measures, missing, formats = [], {}, {}, {}, {}
    for row in variables[1:]:
        name = row[column["Name"]]
        names.append(name)
        labels[name] = row[column["Label"]]
        measures[name] = row[column["Measurement Level"]].lower()
        formats[name] = row[column["Print Format"]]
        # PSPP leaves the column out when no variable declares missing values.
        declared = row[column["Missing Values"]] if "Missing Values" in column else ""
        if declared:
            missing[name] = [float(v) for v in declared.split("; ")]
    value_labels = {}
    label_to_name = {labels[n] or n: n for n in names}
    current = None
    for row in parsed.get("Value Labels", [])[1:]:
        if row[0]:
            current = label_to_name[row[0]]
            value_labels[current] = {}
        value = row[1].split("[")[0]
        value_labels[current][value] = row[2]
    data = parsed.get("Data List", [[]])
    file_info = {row[0]: row[1] for row in parsed.get("File Information", []) if len(row) >= 2}
    emit(
        {
            "file_info": file_info,
            "names": names,
            "variable_labels": labels,
            "measures": measures,
            "missing": missing,
            "formats": formats,
            "value_labels": value_labels,
            "list_header": data[0],
            "rows": data[1:],
        }
    )


main()
