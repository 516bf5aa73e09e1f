#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/seeds/ from the repository's own
examples: questionnaires, expressions found in them and in docs/expressions.md, quota designs
from docs/quotas.md and the quotas tests, and small phone lists (CSV and .xlsx, stored and
deflated). Run from anywhere: python3 fuzz/make_seeds.py"""

import hashlib
import io
import pathlib
import re
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fuzz" / "seeds"


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    folder = SEEDS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


# Questionnaires: the real one, the test fixture and the broken examples.
for path in [ROOT / "questionnaires" / "observatoire.toml",
             ROOT / "questionnaires" / "observatoire.indicators.toml",
             *sorted((ROOT / "questionnaire" / "tests" / "fixtures").glob("*.toml")),
             *sorted((ROOT / "questionnaire" / "tests" / "broken").glob("*.toml"))]:
    put("questionnaire_toml", path.read_bytes())

# Expressions: the values of filter/check/compute/when keys, and the inline code of the doc.
expressions = set()
for path in [ROOT / "questionnaires" / "observatoire.toml",
             *(ROOT / "questionnaire" / "tests" / "fixtures").glob("*.toml")]:
    for m in re.finditer(r'^\s*(?:filter|condition|when|if|value|expr|check)\s*=\s*"((?:[^"\\]|\\.)*)"',
                         path.read_text(), re.M):
        expressions.add(m.group(1).replace('\\"', '"'))
for m in re.finditer(r"`([^`\n]{3,80})`", (ROOT / "docs" / "expressions.md").read_text()):
    expressions.add(m.group(1))
expressions |= {
    "AGE >= 18 and SEXE in [1, 2] or not OK",
    "if AGE < 30 then 'jeune' else NOM",
    "count(USAGES) > 1 and has_any(USAGES, [1, 99])",
    "year(NAISSANCE) < 1980 and NAISSANCE < date(\"2000-01-31\")",
    "round(REVENU / 12, 2) >= abs(N) % 7",
    "countif(AGE > 1, SEXE = 2) + len(NOM) - min(AGE, 3) * max(1, 2)",
    "answered(AGE) and not dk(SEXE) and not refused(NOM)",
    "AGE not in [15..17, 99]",
}
for e in expressions:
    put("expression", e)

# Quota designs: the TOML blocks of docs/quotas.md and the designs of the quotas tests.
for m in re.finditer(r"```toml\n(.*?)```", (ROOT / "docs" / "quotas.md").read_text(), re.S):
    put("quota_design", m.group(1))
for path in (ROOT / "quotas" / "tests").glob("*.rs"):
    for m in re.finditer(r'r#"(\n\[design\].*?)"#', path.read_text(), re.S):
        put("quota_design", m.group(1))
put("quota_design", "code_commune,nom_commune,millesime,population_municipale\n"
                    "33063,Bordeaux,2023,261804\n33281,Mérignac,2023,72197\n")

# Phone lists. The target's first byte picks the name: 0 liste.csv, 1 liste.xlsx.
CSV = ("id;Téléphone;Commune;age\nA1;05 56 12 34 56;Bordeaux;34\nA2;0612345;33063;51\n"
       "A3;+33 6 12 34 56 78;Bouscat (Le);\nA4;07 52 12 34 56;;70\n")
put("sample_file", b"\x00" + CSV.encode())
put("sample_file", b"\x00" + CSV.replace(";", ",").encode("cp1252"))
put("sample_file", b"\x00" + "\ufeff".encode() + CSV.replace(";", "\t").encode())
put("sample_file", b"\x00" + CSV.encode("utf-16"))
put("sample_file", "\x00telephone,telephone2,commune\n\"05 56,12\"\"34\",0033612345678,Mérignac\r\n")


def xlsx(compression):
    rows = [["id", "telephone", "commune"], ["A1", "05 56 12 34 56", "Bordeaux"],
            ["A2", 556123457, "33281"], ["A3", "+33612345678", ""]]
    cells = []
    for r, row in enumerate(rows, 1):
        out = []
        for c, value in enumerate(row):
            ref = f"{'ABC'[c]}{r}"
            if isinstance(value, str):
                out.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
            else:
                out.append(f'<c r="{ref}"><v>{value}</v></c>')
        cells.append(f'<row r="{r}">{"".join(out)}</row>')
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Liste" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:C4"/><sheetData>' + "".join(cells) + "</sheetData></worksheet>",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buffer.getvalue()


put("sample_file", b"\x01" + xlsx(zipfile.ZIP_STORED))
put("sample_file", b"\x01" + xlsx(zipfile.ZIP_DEFLATED))
