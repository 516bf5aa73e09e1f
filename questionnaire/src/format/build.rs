//! Raw TOML tables → model: file-level tables (survey, preload, lists, screening, closing,
//! sections). Questions are built in `question.rs`.

use super::raw::{RawClosing, RawFile, RawMissing, RawOption, RawSurvey, RawText};
use crate::check::Findings;
use crate::model::{
    Choice, Closing, Located, MissingCode, PreloadField, PreloadType, Questionnaire, ScreenOut,
    Section, Survey, Text, VarPlace,
};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use toml::Spanned;

/// Shared state while building: where findings go, the languages, the named lists.
pub(super) struct Builder<'a, 'f> {
    pub findings: &'f mut Findings<'a>,
    pub languages: Vec<String>,
    pub lists: HashMap<String, NamedList>,
}

/// A `[lists]` entry and whether a question uses it.
pub(super) struct NamedList {
    pub options: Vec<Choice>,
    pub used: bool,
    pub span: Range<usize>,
}

/// Parses `source` and builds the model, recording every problem in `findings`. Returns the model
/// even when there were errors (the checks still run on it); `None` when the file is not a
/// questionnaire at all.
pub(crate) fn build(source: &str, findings: &mut Findings<'_>) -> Option<Questionnaire> {
    let blank = |l: &str| l.trim().is_empty() || l.trim_start().starts_with('#');
    if source.lines().all(blank) {
        findings.error_at_start("the file is empty: a questionnaire needs at least a [survey] table and one [[section]]");
        return None;
    }
    let raw: RawFile = match toml::from_str(source) {
        Ok(raw) => raw,
        Err(e) => {
            let message = format!("not a valid questionnaire file: {}", e.message().trim());
            match e.span() {
                Some(span) => findings.error(&span, None, message),
                None => findings.error_at_start(message),
            }
            return None;
        }
    };
    let mut b = Builder {
        findings,
        languages: vec!["fr".to_string()],
        lists: HashMap::new(),
    };
    let survey = b.survey(raw.survey);
    let preload = b.preload(raw.preload.unwrap_or_default());
    b.lists(raw.lists.unwrap_or_default());
    let (quota, screen_out) = match raw.screening {
        Some(s) => (
            s.quota.unwrap_or_default(),
            s.screen_out
                .into_iter()
                .filter_map(|r| b.screen_out(r))
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let closing = b.closing(raw.closing);
    if raw.section.is_empty() {
        b.findings.error_at_start(
            "the questionnaire has no [[section]]: add at least one section with questions",
        );
    }
    let sections: Vec<Section> = raw.section.into_iter().map(|s| b.section(s)).collect();
    let mut unused: Vec<_> = b.lists.iter().filter(|(_, l)| !l.used).collect();
    unused.sort_by_key(|(_, l)| l.span.start);
    for (name, list) in unused {
        b.findings.warning(
            &list.span,
            None,
            format!("list `{name}` is not used by any question"),
        );
    }
    let index = index_variables(&sections);
    let screen_out_triggers = screen_out_triggers(&screen_out);
    Some(Questionnaire {
        survey,
        preload,
        sections,
        quota: quota.iter().map(|q| q.get_ref().clone()).collect(),
        quota_spans: quota.iter().map(Spanned::span).collect(),
        screen_out,
        screen_out_triggers,
        closing,
        index,
    })
}

/// Variable → indices (ascending) of the screen-out rules that use it.
fn screen_out_triggers(rules: &[ScreenOut]) -> HashMap<String, Vec<usize>> {
    let mut triggers: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, rule) in rules.iter().enumerate() {
        for r in rule.when.references() {
            let list = triggers.entry(r.name).or_default();
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
    triggers
}

/// Variable name → place, for questions, grid items and computed variables. The first
/// definition wins; duplicates are reported by the checks.
fn index_variables(sections: &[Section]) -> HashMap<String, VarPlace> {
    let mut index = HashMap::new();
    for (s, section) in sections.iter().enumerate() {
        for (q, question) in section.questions.iter().enumerate() {
            index.entry(question.var.clone()).or_insert(VarPlace {
                section: s,
                question: q,
                item: None,
            });
            if let crate::model::QuestionKind::Grid { items, .. } = &question.kind {
                for (i, item) in items.iter().enumerate() {
                    index.entry(item.var.clone()).or_insert(VarPlace {
                        section: s,
                        question: q,
                        item: Some(i),
                    });
                }
            }
        }
    }
    index
}

impl Builder<'_, '_> {
    fn survey(&mut self, raw: Option<Spanned<RawSurvey>>) -> Survey {
        let Some(raw) = raw else {
            self.findings
                .error_at_start("missing [survey] table (id, title, version, languages)");
            return Survey {
                id: String::new(),
                title: Text::plain("fr", ""),
                version: String::new(),
                languages: self.languages.clone(),
                dont_know: default_missing(98, "Ne sait pas"),
                refused: default_missing(99, "Refus"),
            };
        };
        let span = raw.span();
        let raw = raw.into_inner();
        if let Some(langs) = &raw.languages {
            if langs.get_ref().is_empty() {
                self.findings.error(
                    &langs.span(),
                    None,
                    "`languages` must list at least one language",
                );
            } else {
                let mut seen = HashSet::new();
                for l in langs.get_ref() {
                    let valid = (2..=8).contains(&l.get_ref().len())
                        && l.get_ref()
                            .chars()
                            .all(|c| c.is_ascii_alphabetic() || c == '-');
                    if !valid {
                        self.findings.error(
                            &l.span(),
                            None,
                            format!(
                                "`{}` is not a language code (like \"fr\" or \"en\")",
                                l.get_ref()
                            ),
                        );
                    } else if !seen.insert(l.get_ref().clone()) {
                        self.findings.error(
                            &l.span(),
                            None,
                            format!("language `{}` is listed twice", l.get_ref()),
                        );
                    }
                }
                self.languages = langs
                    .get_ref()
                    .iter()
                    .map(|l| l.get_ref().clone())
                    .collect();
            }
        }
        let id = match raw.id {
            Some(id) => {
                let valid = !id.get_ref().is_empty()
                    && id.get_ref().chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-'
                    });
                if !valid {
                    self.findings.error(
                        &id.span(),
                        None,
                        "survey `id` may only contain lower-case letters, digits, '_' and '-'",
                    );
                }
                id.into_inner()
            }
            None => {
                self.findings.error(&span, None, "[survey] needs an `id`");
                String::new()
            }
        };
        let title = match raw.title {
            Some(t) => self.text(&t, None),
            None => {
                self.findings.error(&span, None, "[survey] needs a `title`");
                Text::plain(&self.languages[0], "")
            }
        };
        let version = match raw.version {
            Some(v) => v.into_inner(),
            None => {
                self.findings
                    .error(&span, None, "[survey] needs a `version`");
                String::new()
            }
        };
        let dont_know = self.missing_code(raw.dont_know, 98, "Ne sait pas");
        let refused = self.missing_code(raw.refused, 99, "Refus");
        if dont_know.code == refused.code {
            self.findings.error(
                &span,
                None,
                format!("`dont_know` and `refused` both use code {}", refused.code),
            );
        }
        Survey {
            id,
            title,
            version,
            languages: self.languages.clone(),
            dont_know,
            refused,
        }
    }

    fn missing_code(
        &mut self,
        raw: Option<Spanned<RawMissing>>,
        code: i64,
        label: &str,
    ) -> MissingCode {
        match raw {
            Some(m) => {
                let m = m.into_inner();
                MissingCode {
                    code: m.code,
                    label: self.text(&m.label, None),
                }
            }
            None => MissingCode {
                code,
                label: Text::plain(&self.languages[0], label),
            },
        }
    }

    fn preload(
        &mut self,
        raw: std::collections::BTreeMap<Spanned<String>, Spanned<super::raw::RawPreload>>,
    ) -> Vec<PreloadField> {
        let mut fields: Vec<PreloadField> = raw
            .into_iter()
            .filter_map(|(name, field)| {
                let f = field.into_inner();
                let kind = match f.kind.get_ref().as_str() {
                    "text" => PreloadType::Text,
                    "integer" => PreloadType::Integer,
                    "decimal" => PreloadType::Decimal,
                    "date" => PreloadType::Date,
                    other => {
                        self.findings.error(
                            &f.kind.span(),
                            Some(name.get_ref()),
                            format!(
                                "unknown preload type `{other}` (text, integer, decimal or date)"
                            ),
                        );
                        return None;
                    }
                };
                Some(PreloadField {
                    span: name.span(),
                    name: name.into_inner(),
                    kind,
                    personal: f.personal,
                    label: f.label,
                })
            })
            .collect();
        fields.sort_by_key(|f| f.span.start);
        fields
    }

    fn lists(&mut self, raw: std::collections::BTreeMap<Spanned<String>, super::raw::RawList>) {
        for (name, options) in raw {
            let span = name.span();
            let list = NamedList {
                options: options
                    .into_inner()
                    .into_iter()
                    .map(|o| self.choice(o, None))
                    .collect(),
                used: false,
                span,
            };
            if list.options.is_empty() {
                self.findings.error(
                    &list.span,
                    None,
                    format!("list `{}` has no options", name.get_ref()),
                );
            }
            self.lists.insert(name.into_inner(), list);
        }
    }

    /// An option; its own problems (codes, flags) are checked per question by `check`.
    pub fn choice(&mut self, raw: Spanned<RawOption>, question: Option<&str>) -> Choice {
        let raw = raw.into_inner();
        let flag = |f: Option<Spanned<bool>>| f.is_some_and(|f| f.into_inner());
        Choice {
            code: *raw.code.get_ref(),
            span: raw.code.span(),
            label: Located::new(self.text(&raw.label, question), raw.label.span()),
            other: flag(raw.other),
            exclusive: flag(raw.exclusive),
            anchor: flag(raw.anchor),
        }
    }

    fn screen_out(&mut self, raw: Spanned<super::raw::RawScreenOut>) -> Option<ScreenOut> {
        let span = raw.span();
        let raw = raw.into_inner();
        let reason = match &raw.reason {
            Some(r) => Some(Located::new(self.text(r, None), r.span())),
            None => {
                self.findings
                    .error(&span, None, "screen-out rule without a `reason`");
                None
            }
        };
        let when = match &raw.when {
            Some(w) => self.expr(w, None),
            None => {
                self.findings
                    .error(&span, None, "screen-out rule without a `when` expression");
                None
            }
        };
        Some(ScreenOut {
            when: when?,
            reason: reason?,
        })
    }

    fn closing(&mut self, raw: Option<Spanned<RawClosing>>) -> Closing {
        let primary = self.languages[0].clone();
        let (span, raw) = match raw {
            Some(r) => (r.span(), r.into_inner()),
            None => {
                self.findings.warning(
                    &(0..0),
                    None,
                    "no [closing] table: default French closing texts will be read",
                );
                (
                    0..0,
                    RawClosing {
                        completed: None,
                        screened_out: None,
                        refusal: None,
                    },
                )
            }
        };
        let text = |b: &mut Self, t: &Option<Spanned<RawText>>, key: &str, default: &str| match t {
            Some(t) => Located::new(b.text(t, None), t.span()),
            None => {
                if span != (0..0) {
                    b.findings.warning(
                        &span,
                        None,
                        format!(
                            "[closing] has no `{key}` text: a default French text will be read"
                        ),
                    );
                }
                Located::new(Text::plain(&primary, default), span.clone())
            }
        };
        Closing {
            completed: text(
                self,
                &raw.completed,
                "completed",
                "L'entretien est terminé. Merci beaucoup pour votre participation !",
            ),
            screened_out: text(
                self,
                &raw.screened_out,
                "screened_out",
                "Merci, nous ne pouvons pas poursuivre l'entretien avec vous.",
            ),
            refusal: text(
                self,
                &raw.refusal,
                "refusal",
                "Merci de m'avoir accordé un instant. Bonne journée.",
            ),
        }
    }

    fn section(&mut self, raw: Spanned<super::raw::RawSection>) -> Section {
        let span = raw.span();
        let raw = raw.into_inner();
        let id = match raw.id {
            Some(id) => id.into_inner(),
            None => {
                self.findings.error(&span, None, "section without an `id`");
                String::new()
            }
        };
        let title = match &raw.title {
            Some(t) => self.text(t, None),
            None => {
                self.findings
                    .warning(&span, None, format!("section `{id}` has no `title`"));
                Text::plain(&self.languages[0], id.clone())
            }
        };
        if raw.question.is_empty() {
            self.findings
                .warning(&span, None, format!("section `{id}` has no questions"));
        }
        let questions = raw
            .question
            .into_iter()
            .filter_map(|q| self.question(q))
            .collect();
        Section {
            id,
            title,
            randomize: raw.randomize.is_some_and(|r| r.into_inner()),
            questions,
            span,
        }
    }
}

fn default_missing(code: i64, label: &str) -> MissingCode {
    MissingCode {
        code,
        label: Text::plain("fr", label),
    }
}
