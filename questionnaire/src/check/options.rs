//! Option lists: duplicate codes, codes taken by "don't know"/"refused", flags that do not fit
//! the question (`exclusive` outside multiple choice, `other` in a grid, anchors that never move).

use super::Findings;
use crate::model::{QuestionKind, Questionnaire};
use std::collections::HashMap;

pub(super) fn check(q: &Questionnaire, findings: &mut Findings<'_>) {
    let dk = q.dont_know_code();
    let refused = q.refused_code();
    for question in q.questions() {
        let var = Some(question.var.as_str());
        let options = question.kind.options();
        let multiple = matches!(question.kind, QuestionKind::Multiple { .. });
        let grid = matches!(question.kind, QuestionKind::Grid { .. });
        let computed = matches!(question.kind, QuestionKind::Computed { .. });
        let mut codes: HashMap<i64, &str> = HashMap::new();
        for o in options {
            if let Some(first) = codes.insert(o.code, o.label.primary()) {
                findings.error(
                    &o.span,
                    var,
                    format!(
                        "duplicate option code {} (already used by « {first} »)",
                        o.code
                    ),
                );
            }
            if o.code == dk || o.code == refused {
                let which = if o.code == dk {
                    "don't know"
                } else {
                    "refused"
                };
                findings.error(
                    &o.span,
                    var,
                    format!(
                        "option code {} is the survey's \"{which}\" code: use another code",
                        o.code
                    ),
                );
            }
            if multiple && o.code < 0 {
                findings.error(
                    &o.span,
                    var,
                    format!("option code {} is negative: multiple-choice codes name exported variables (`VAR_<code>`)", o.code),
                );
            }
            if o.exclusive && !multiple {
                findings.error(
                    &o.span,
                    var,
                    format!(
                        "`exclusive` on option {} only applies to multiple-choice questions",
                        o.code
                    ),
                );
            }
            if (o.other || o.anchor) && computed {
                findings.error(
                    &o.span,
                    var,
                    format!(
                        "option {} of a computed variable only labels a code: `other` and `anchor` do not apply",
                        o.code
                    ),
                );
            }
            if o.other && grid {
                findings.error(
                    &o.span,
                    var,
                    format!(
                        "`other` on option {}: grids cannot ask for an \"other, specify\" text",
                        o.code
                    ),
                );
            }
            // A grid's `randomize` shuffles its items, never its options.
            if o.anchor && (grid || !question.kind.randomize()) {
                findings.warning(
                    &o.span,
                    var,
                    format!(
                        "option {} is anchored but the options of `{}` are not randomised",
                        o.code, question.var
                    ),
                );
            }
        }
        if let QuestionKind::Multiple { options, .. } = &question.kind
            && !options.is_empty()
            && options.iter().all(|o| o.exclusive)
        {
            findings.warning(
                &question.span,
                var,
                "every option is exclusive: use a single-choice question",
            );
        }
    }
}
