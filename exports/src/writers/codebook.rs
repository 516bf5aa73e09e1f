//! Codebook (dictionnaire des variables) in Markdown and in self-contained HTML, in French for
//! analysts: for each variable its name, label, question, filter, type, measure, value labels,
//! declared missing codes and frequencies (weighted and unweighted) or summary statistics.
//! Both renderings are built from one document model so they always say the same thing.

use std::io::Write;

use super::{WriteError, format_number};
use crate::dataset::{
    Dataset, Frequency, Measure, Role, Summary, Variable, VariableKind, VariableSummary, iso_date,
    summarize,
};

/// A table with a header row; columns from `numeric_from` on are right-aligned.
struct Table {
    header: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    numeric_from: usize,
}

/// One variable's entry.
struct Section {
    name: String,
    label: String,
    facts: Vec<(&'static str, String)>,
    tables: Vec<Table>,
}

struct Document {
    title: String,
    intro: Vec<String>,
    sections: Vec<Section>,
}

/// French number with `decimals` digits and a decimal comma.
fn fr(value: f64, decimals: usize) -> String {
    format!("{value:.decimals$}").replace('.', ",")
}

fn fr_exact(value: f64) -> String {
    format_number(value).replace('.', ",")
}

fn percent(part: f64, total: f64) -> String {
    if total > 0.0 {
        fr(100.0 * part / total, 1)
    } else {
        "—".into()
    }
}

fn kind_text(variable: &Variable) -> String {
    match variable.kind {
        VariableKind::Integer => "numérique entier".into(),
        VariableKind::Date => "date (AAAA-MM-JJ)".into(),
        VariableKind::Decimal { decimals } => format!("numérique décimal ({decimals} décimales)"),
        VariableKind::Text { width } => format!("texte ({width} octets au plus)"),
    }
}

fn measure_text(measure: Measure) -> &'static str {
    match measure {
        Measure::Nominal => "nominale",
        Measure::Ordinal => "ordinale",
        Measure::Scale => "échelle (quantitative)",
    }
}

fn frequency_table(rows: &[Frequency], summary: &VariableSummary, weighted: bool) -> Table {
    let mut header = vec!["Code", "Libellé", "Effectif", "%"];
    if weighted {
        header.extend(["Effectif pondéré", "% pondéré"]);
    }
    let total = summary.total as f64;
    let total_weight = summary.total_weight.unwrap_or(0.0);
    let rows = rows
        .iter()
        .map(|f| {
            let code = f.value.map_or_else(|| "(vide)".to_owned(), fr_exact);
            let mut label = match (&f.label, f.value) {
                (Some(l), _) => l.clone(),
                (None, None) => "Valeur manquante système".to_owned(),
                (None, Some(_)) => String::new(),
            };
            if f.missing && f.value.is_some() {
                label.push_str(" (manquante déclarée)");
            }
            let mut row = vec![
                code,
                label,
                f.count.to_string(),
                percent(f.count as f64, total),
            ];
            if weighted {
                let w = f.weighted.unwrap_or(0.0);
                row.extend([fr(w, 1), percent(w, total_weight)]);
            }
            row
        })
        .collect();
    Table {
        header,
        rows,
        numeric_from: 2,
    }
}

fn section(variable: &Variable, summary: &VariableSummary, weighted: bool) -> Section {
    let mut facts = vec![
        ("Type", kind_text(variable)),
        ("Mesure", measure_text(variable.measure).to_owned()),
    ];
    if let Some(q) = &variable.question {
        facts.push(("Question", q.clone()));
    }
    facts.push((
        "Filtre",
        variable
            .filter
            .clone()
            .unwrap_or_else(|| "tous les répondants".into()),
    ));
    let missing = variable.sorted_missing_values();
    if !missing.is_empty() {
        let codes: Vec<String> = missing
            .iter()
            .map(|c| match variable.value_labels.get(c) {
                Some(l) => format!("{c} ({l})"),
                None => c.to_string(),
            })
            .collect();
        facts.push(("Valeurs manquantes déclarées", codes.join(", ")));
    }
    if variable.role == Role::Weight {
        facts.push(("Rôle", "variable de pondération".into()));
    }
    let mut tables = Vec::new();
    match &summary.summary {
        Summary::Categorical(rows) => tables.push(frequency_table(rows, summary, weighted)),
        Summary::Numeric(n) if variable.kind == VariableKind::Date => {
            let date = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), iso_date);
            tables.push(Table {
                header: vec!["Statistique", "Valeur"],
                rows: vec![
                    vec!["Valeurs valides".to_owned(), n.valid.to_string()],
                    vec!["Première date".into(), date(n.min)],
                    vec!["Dernière date".into(), date(n.max)],
                ],
                numeric_from: 1,
            });
            tables.push(frequency_table(&n.missing, summary, weighted));
        }
        Summary::Numeric(n) => {
            let opt = |v: Option<f64>, d| v.map_or_else(|| "—".to_owned(), |v| fr(v, d));
            let mut rows = vec![
                vec!["Valeurs valides".to_owned(), n.valid.to_string()],
                vec!["Minimum".into(), n.min.map_or_else(|| "—".into(), fr_exact)],
                vec!["Maximum".into(), n.max.map_or_else(|| "—".into(), fr_exact)],
                vec!["Moyenne".into(), opt(n.mean, 2)],
                vec!["Écart-type".into(), opt(n.std_dev, 2)],
            ];
            if weighted {
                rows.push(vec!["Moyenne pondérée".into(), opt(n.weighted_mean, 2)]);
            }
            tables.push(Table {
                header: vec!["Statistique", "Valeur"],
                rows,
                numeric_from: 1,
            });
            tables.push(frequency_table(&n.missing, summary, weighted));
        }
        Summary::Text(t) => tables.push(Table {
            header: vec!["Statistique", "Valeur"],
            rows: vec![
                vec!["Réponses non vides".into(), t.non_empty.to_string()],
                vec!["Réponses vides".into(), t.empty.to_string()],
                vec!["Valeurs distinctes".into(), t.distinct.to_string()],
            ],
            numeric_from: 1,
        }),
    }
    Section {
        name: variable.name.clone(),
        label: variable.label.clone(),
        facts,
        tables,
    }
}

fn document(dataset: &Dataset, weight: Option<&str>) -> Result<Document, WriteError> {
    let summaries = summarize(dataset, weight)?;
    let weight_name = weight
        .map(str::to_owned)
        .or_else(|| dataset.weight_variable().map(|v| v.name.clone()));
    let info = dataset.info();
    let mut intro = vec![
        format!("Jeu de données : {}", info.name),
        format!("Créé le : {}", info.created.rfc3339()),
        format!(
            "{} observations, {} variables",
            dataset.row_count(),
            dataset.variables().len()
        ),
        match &weight_name {
            Some(w) => format!("Effectifs pondérés par la variable {w}"),
            None => "Effectifs non pondérés (aucune variable de pondération)".to_owned(),
        },
    ];
    intro.push(format!(
        "Fichiers CSV : dans {} et {}, une cellule de texte qui commence par =, +, -, @ ou une \
         tabulation est précédée d'une apostrophe, pour qu'un tableur l'affiche sans l'exécuter \
         comme une formule ; {} garde le texte exact",
        super::bundle::CSV_EXCEL_FR,
        super::bundle::CSV_LABELLED,
        super::bundle::CSV
    ));
    intro.extend(info.notes.iter().cloned());
    let sections = dataset
        .variables()
        .iter()
        .zip(&summaries)
        .map(|(v, s)| section(v, s, weight_name.is_some()))
        .collect();
    Ok(Document {
        title: format!("Dictionnaire des variables — {}", info.title),
        intro,
        sections,
    })
}

/// Escapes Markdown punctuation so labels are shown literally.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Writes the Markdown codebook. `weight` names the weight variable (default: the dataset's).
pub fn write_codebook_markdown<W: Write>(
    dataset: &Dataset,
    weight: Option<&str>,
    mut out: W,
) -> Result<(), WriteError> {
    let doc = document(dataset, weight)?;
    let mut s = format!("# {}\n\n", md(&doc.title));
    for line in &doc.intro {
        s.push_str(&format!("- {}\n", md(line)));
    }
    s.push_str("\n## Sommaire\n\n");
    for sec in &doc.sections {
        s.push_str(&format!(
            "- [{}](#var-{}) — {}\n",
            md(&sec.name),
            sec.name.to_ascii_lowercase(),
            md(&sec.label)
        ));
    }
    for sec in &doc.sections {
        s.push_str(&format!(
            "\n<a id=\"var-{}\"></a>\n\n## {} — {}\n\n",
            sec.name.to_ascii_lowercase(),
            md(&sec.name),
            md(&sec.label)
        ));
        for (key, value) in &sec.facts {
            s.push_str(&format!("- **{key}** : {}\n", md(value)));
        }
        for table in &sec.tables {
            s.push('\n');
            s.push_str(&format!("| {} |\n", table.header.join(" | ")));
            let aligns: Vec<&str> = (0..table.header.len())
                .map(|i| {
                    if i >= table.numeric_from {
                        "---:"
                    } else {
                        "---"
                    }
                })
                .collect();
            s.push_str(&format!("| {} |\n", aligns.join(" | ")));
            for row in &table.rows {
                let cells: Vec<String> = row.iter().map(|c| md(c)).collect();
                s.push_str(&format!("| {} |\n", cells.join(" | ")));
            }
        }
    }
    out.write_all(s.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;\
padding:0 1rem;color:#1b1b1b;line-height:1.4}h1{font-size:1.6rem}h2{font-size:1.2rem;\
border-top:1px solid #ccc;padding-top:1rem}code{background:#f2f2f2;padding:0 .2rem}\
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #ccc;\
padding:.2rem .5rem;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem}dt{font-weight:600}dd{margin:0}";

/// Writes the HTML codebook (one file, inline style, no external assets).
pub fn write_codebook_html<W: Write>(
    dataset: &Dataset,
    weight: Option<&str>,
    mut out: W,
) -> Result<(), WriteError> {
    let doc = document(dataset, weight)?;
    let mut s = String::new();
    s.push_str("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.push_str(&format!(
        "<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        html(&doc.title)
    ));
    s.push_str(&format!("<h1>{}</h1>\n<ul>\n", html(&doc.title)));
    for line in &doc.intro {
        s.push_str(&format!("<li>{}</li>\n", html(line)));
    }
    s.push_str("</ul>\n<nav>\n<h2>Sommaire</h2>\n<ul>\n");
    for sec in &doc.sections {
        s.push_str(&format!(
            "<li><a href=\"#var-{}\"><code>{}</code></a> — {}</li>\n",
            sec.name.to_ascii_lowercase(),
            html(&sec.name),
            html(&sec.label)
        ));
    }
    s.push_str("</ul>\n</nav>\n");
    for sec in &doc.sections {
        s.push_str(&format!(
            "<section id=\"var-{}\">\n<h2><code>{}</code> — {}</h2>\n<dl>\n",
            sec.name.to_ascii_lowercase(),
            html(&sec.name),
            html(&sec.label)
        ));
        for (key, value) in &sec.facts {
            s.push_str(&format!("<dt>{key}</dt><dd>{}</dd>\n", html(value)));
        }
        s.push_str("</dl>\n");
        for table in &sec.tables {
            s.push_str("<table>\n<thead><tr>");
            for h in &table.header {
                s.push_str(&format!("<th>{h}</th>"));
            }
            s.push_str("</tr></thead>\n<tbody>\n");
            for row in &table.rows {
                s.push_str("<tr>");
                for (i, cell) in row.iter().enumerate() {
                    let class = if i >= table.numeric_from {
                        " class=\"n\""
                    } else {
                        ""
                    };
                    s.push_str(&format!("<td{class}>{}</td>", html(cell)));
                }
                s.push_str("</tr>\n");
            }
            s.push_str("</tbody>\n</table>\n");
        }
        s.push_str("</section>\n");
    }
    s.push_str("</body>\n</html>\n");
    out.write_all(s.as_bytes())?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_and_html_escape_user_text() {
        assert_eq!(md("a|b *c*"), "a\\|b \\*c\\*");
        assert_eq!(
            html("<b>\"x\" & 'y'"),
            "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;"
        );
    }
}
