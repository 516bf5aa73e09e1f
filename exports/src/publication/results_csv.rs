//! The results table as analysts download it from the results page: every cell of the
//! indicator table, written exactly as `indicateurs.csv` writes it, then whether it is
//! publishable and why not, and its change since the previous wave with the test.

use std::io::Write;

use super::results::ResultRow;
use crate::indicators::{TABLE_COLUMNS, table_figure, table_record};

/// Columns after the indicator table's.
const EXTRA_COLUMNS: [&str; 7] = [
    "publiable",
    "motifs",
    "evolution",
    "evolution_erreur_type",
    "evolution_p_valeur",
    "evolution_significative",
    "evolution_publiable",
];

/// Writes `rows` as CSV in the indicator table's conventions (UTF-8, `,`, CRLF, decimal point;
/// flags as 1 or 0, the reasons joined by ` ; `, empty cells where there is nothing).
pub fn write_results_csv<W: Write>(rows: &[ResultRow], writer: W) -> Result<(), csv::Error> {
    let mut csv = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(writer);
    csv.write_record(TABLE_COLUMNS.iter().chain(EXTRA_COLUMNS.iter()))?;
    let flag = |b: bool| if b { "1" } else { "0" }.to_owned();
    for row in rows {
        let change = row.change;
        let extra = [
            flag(row.verdict.publishable),
            row.verdict.reasons.join(" ; "),
            table_figure(change.map(|c| c.difference)),
            table_figure(change.map(|c| c.standard_error)),
            table_figure(change.and_then(|c| c.p_value)),
            change.map(|c| flag(c.significant)).unwrap_or_default(),
            change
                .map(|_| flag(row.change_publishable))
                .unwrap_or_default(),
        ];
        csv.write_record(table_record(&row.cell).iter().chain(extra.iter()))?;
    }
    csv.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::results::results;
    use super::super::rules::{PublicationRules, tests::row};
    use super::*;
    use crate::indicators::write_table_csv;

    #[test]
    fn the_results_csv_starts_with_the_indicator_tables_own_cells() {
        let table = vec![
            row("33004", 3, 0.333, (0.008, 0.906), 3.0),
            row("33063", 420, 0.25, (0.21, 0.29), 400.0),
        ];
        let previous = vec![row("33063", 400, 0.30, (0.26, 0.34), 380.0)];
        let mut indicators = Vec::new();
        write_table_csv(&table, &mut indicators).unwrap();
        let judged = results(table, Some(&previous), &PublicationRules::default());
        let mut bytes = Vec::new();
        write_results_csv(&judged, &mut bytes).unwrap();
        let ours = String::from_utf8(bytes).unwrap();
        let theirs = String::from_utf8(indicators).unwrap();
        let pairs = ours.split("\r\n").zip(theirs.split("\r\n"));
        for (line, original) in pairs.skip(1).filter(|(l, _)| !l.is_empty()) {
            assert!(line.starts_with(&format!("{original},")), "{line}");
        }
        let lines: Vec<&str> = ours.split("\r\n").collect();
        assert!(
            lines[1].ends_with(
                ",0,\"n = 3 < 30 répondants ; n effectif = 3,0 < 20 ; \
                 intervalle trop large (± 44,9 points > 15)\",,,,,"
            ),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].ends_with(",1,,-0.050000,0.028284,0.077100,0,1"),
            "{}",
            lines[2]
        );
    }
}
