//! The difference as a short French report for survey managers: one change per line, variable
//! names as the only identifiers shown (types, sections and answers by their French names).

use super::{Bounds, ExpressionChange, MissingAnswer, OptionFlag, VersionDiff, type_label};

/// Ends the lines of changes that make the waves not comparable.
const BREAK: &str = " (rupture de comparabilité)";

impl VersionDiff {
    /// The report in French, one change per line: questions added, removed and retyped, texts,
    /// options, grid items, bounds, filters, computations, "don't know" / "refused", screening.
    /// The changes that make the waves not comparable ([`VersionDiff::comparable`]) end with
    /// « (rupture de comparabilité) ». Empty when there is no difference: the caller says so
    /// and gives the verdict in its own words.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for (verb, questions) in [("ajoutée", &self.added), ("supprimée", &self.removed)] {
            lines.extend(questions.iter().map(|q| {
                format!(
                    "Question {verb} : {} ({}, section « {} »)",
                    q.var,
                    type_label(q.kind),
                    q.section_title
                )
            }));
        }
        lines.extend(self.retyped.iter().map(|t| {
            format!(
                "Type modifié : {} — avant {}, après {}{BREAK}",
                t.var,
                type_label(t.before),
                type_label(t.after)
            )
        }));
        lines.extend(self.texts.iter().map(|t| {
            format!(
                "Texte modifié : {} — avant « {} », après « {} »",
                t.var, t.before, t.after
            )
        }));
        self.option_lines(&mut lines);
        self.grid_lines(&mut lines);
        lines.extend(self.ranges.iter().map(|r| {
            format!(
                "Bornes modifiées : {} — avant {}, après {}",
                r.var,
                bounds(r.before),
                bounds(r.after)
            )
        }));
        lines.extend(self.filters.iter().map(|f| expression_line("Filtre", f)));
        lines.extend(
            self.computations
                .iter()
                .map(|c| expression_line("Calcul", c)),
        );
        lines.extend(self.missing_offers.iter().map(|m| {
            let answer = match m.answer {
                MissingAnswer::DontKnow => "Ne sait pas",
                MissingAnswer::Refused => "Refus",
            };
            let offer = if m.after {
                "est désormais proposé"
            } else {
                "n'est plus proposé"
            };
            format!("Non-réponse modifiée : {} — « {answer} » {offer}", m.var)
        }));
        self.screening_lines(&mut lines);
        lines
    }

    fn option_lines(&self, lines: &mut Vec<String>) {
        for changes in &self.options {
            let line = |change: String| format!("Options modifiées : {} — {change}", changes.var);
            for o in &changes.added {
                lines.push(line(format!("code {} ajouté « {} »", o.code, o.label)));
            }
            for o in &changes.removed {
                lines.push(line(format!(
                    "code {} supprimé « {} »{BREAK}",
                    o.code, o.label
                )));
            }
            for r in &changes.relabelled {
                lines.push(line(format!(
                    "libellé du code {} modifié : avant « {} », après « {} »{}",
                    r.code,
                    r.before,
                    r.after,
                    if r.new_meaning { BREAK } else { "" }
                )));
            }
            for f in &changes.flags {
                let what = match (f.flag, f.after) {
                    (OptionFlag::Other, true) => "demande désormais une précision",
                    (OptionFlag::Other, false) => "ne demande plus de précision",
                    (OptionFlag::Exclusive, true) => "devient exclusif",
                    (OptionFlag::Exclusive, false) => "n'est plus exclusif",
                };
                lines.push(line(format!("code {} « {} » {what}", f.code, f.label)));
            }
        }
    }

    fn grid_lines(&self, lines: &mut Vec<String>) {
        for changes in &self.grid_items {
            let line = |change: String| format!("Grille modifiée : {} — {change}", changes.var);
            for i in &changes.added {
                lines.push(line(format!("item {} ajouté « {} »", i.var, i.text)));
            }
            for i in &changes.removed {
                lines.push(line(format!("item {} supprimé « {} »", i.var, i.text)));
            }
            for t in &changes.relabelled {
                lines.push(line(format!(
                    "texte de l'item {} modifié : avant « {} », après « {} »",
                    t.var, t.before, t.after
                )));
            }
        }
    }

    fn screening_lines(&self, lines: &mut Vec<String>) {
        let s = &self.screening;
        for (verb, vars) in [("ajoutée", &s.quota_added), ("retirée", &s.quota_removed)] {
            lines.extend(vars.iter().map(|v| format!("Quotas : variable {v} {verb}")));
        }
        for (verb, rules) in [("ajoutée", &s.rules_added), ("supprimée", &s.rules_removed)] {
            lines.extend(
                rules
                    .iter()
                    .map(|r| format!("Règle d'exclusion {verb} : `{}` (« {} »)", r.when, r.reason)),
            );
        }
        lines.extend(s.reasons_changed.iter().map(|r| {
            format!(
                "Motif d'exclusion modifié : `{}` — avant « {} », après « {} »",
                r.when, r.before, r.after
            )
        }));
    }
}

fn expression_line(what: &str, change: &ExpressionChange) -> String {
    match (&change.before, &change.after) {
        (Some(before), Some(after)) => {
            format!(
                "{what} modifié : {} — avant `{before}`, après `{after}`",
                change.var
            )
        }
        (None, Some(after)) => format!("{what} ajouté : {} — `{after}`", change.var),
        (Some(before), None) => format!("{what} supprimé : {} — avant `{before}`", change.var),
        (None, None) => format!("{what} modifié : {}", change.var),
    }
}

fn bounds(b: Bounds) -> String {
    match (b.min, b.max) {
        (Some(min), Some(max)) => format!("de {} à {}", number(min), number(max)),
        (Some(min), None) => format!("au moins {}", number(min)),
        (None, Some(max)) => format!("au plus {}", number(max)),
        (None, None) => "sans bornes".to_string(),
    }
}

/// A number as French readers write it: no decimals for whole numbers, a decimal comma.
fn number(n: f64) -> String {
    n.to_string().replace('.', ",")
}
