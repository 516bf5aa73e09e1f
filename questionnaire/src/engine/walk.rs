//! The route: the respondent's order of steps (randomised sections and grids), walked from the
//! start through the answers, evaluating filters, computed variables, screen-out rules and the
//! quota point. Every engine call starts from a walk, so the state is a pure function of the
//! questionnaire, the preload and the record.

use super::record::{Answer, QuotaDecision, Record};
use crate::date::Date;
use crate::expr::{Env, Missing, Value};
use crate::model::{PreloadType, Question, QuestionKind, Questionnaire, Text, VarPlace};
use crate::random;
use std::collections::{BTreeMap, HashMap};

/// Where a walk stopped.
pub(super) enum End<'a> {
    /// The step to ask (unanswered, or the revisited position).
    Ask(VarPlace, &'a str),
    /// All quota variables have values and no decision is recorded.
    QuotaPoint,
    /// A screen-out rule is true (its reason), or the quota was refused (`None`).
    ScreenedOut(Option<&'a Text>),
    Completed,
}

/// The result of walking the route.
pub(super) struct Walk<'a> {
    /// Answered steps on the route, in order (info steps included).
    pub route: Vec<&'a str>,
    /// Values of answered steps and computed variables on the route.
    pub values: HashMap<&'a str, Value>,
    /// Answered steps whose filter is now false.
    pub off_route: Vec<&'a str>,
    pub end: End<'a>,
}

/// The steps in the respondent's order: sections in file order, questions shuffled in a
/// randomised section (key `section:<id>`), grid items shuffled in a randomised grid (key: the
/// grid's var); computed variables are steps too (evaluated, never asked).
pub(super) fn steps(q: &Questionnaire, seed: u64) -> Vec<VarPlace> {
    let mut out = Vec::new();
    for (s, section) in q.sections.iter().enumerate() {
        let n = section.questions.len();
        let order = if section.randomize {
            random::order(seed, &format!("section:{}", section.id), &vec![false; n])
        } else {
            (0..n).collect()
        };
        for g in order {
            let question = &section.questions[g];
            match &question.kind {
                QuestionKind::Grid {
                    items, randomize, ..
                } => {
                    let items_order = if *randomize {
                        random::order(seed, &question.var, &vec![false; items.len()])
                    } else {
                        (0..items.len()).collect()
                    };
                    out.extend(items_order.into_iter().map(|i| VarPlace {
                        section: s,
                        question: g,
                        item: Some(i),
                    }));
                }
                _ => out.push(VarPlace {
                    section: s,
                    question: g,
                    item: None,
                }),
            }
        }
    }
    out
}

/// Preload text values parsed per their declared type (unparseable → missing).
pub(super) fn preload_values<'a>(
    q: &'a Questionnaire,
    preload: &BTreeMap<String, String>,
) -> HashMap<&'a str, Value> {
    q.preload
        .iter()
        .map(|f| {
            let raw = preload.get(&f.name).map(|s| s.trim());
            let value = raw
                .and_then(|s| match f.kind {
                    PreloadType::Text => Some(Value::Text(s.to_string())),
                    PreloadType::Integer | PreloadType::Decimal => {
                        s.replace(',', ".").parse().ok().map(Value::Number)
                    }
                    PreloadType::Date => Date::parse(s).map(Value::Date),
                })
                .unwrap_or(Value::Missing(Missing::NotAsked));
            (f.name.as_str(), value)
        })
        .collect()
}

/// Names → values for expressions: the walk's values, then the preload, optionally with one
/// candidate answer on top (checks are evaluated before the answer is stored).
pub(super) struct Values<'w, 'a> {
    pub values: &'w HashMap<&'a str, Value>,
    pub preload: &'w HashMap<&'a str, Value>,
    pub candidate: Option<(&'w str, &'w Value)>,
}

impl Env for Values<'_, '_> {
    fn value(&self, name: &str) -> Value {
        if let Some((var, v)) = self.candidate
            && var == name
        {
            return v.clone();
        }
        self.values
            .get(name)
            .or_else(|| self.preload.get(name))
            .cloned()
            .unwrap_or(Value::Missing(Missing::NotAsked))
    }
}

/// The variable and question of a step.
pub(super) fn step_of(q: &Questionnaire, place: VarPlace) -> (&str, &Question) {
    let question = &q.sections[place.section].questions[place.question];
    match (&question.kind, place.item) {
        (QuestionKind::Grid { items, .. }, Some(i)) => (items[i].var.as_str(), question),
        _ => (question.var.as_str(), question),
    }
}

/// Walks the route; with `stop_at_position`, stops at the revisited step when reached.
pub(super) fn walk<'a>(
    q: &'a Questionnaire,
    preload: &HashMap<&'a str, Value>,
    record: &Record,
    stop_at_position: bool,
) -> Walk<'a> {
    let mut w = Walk {
        route: Vec::new(),
        values: HashMap::new(),
        off_route: Vec::new(),
        end: End::Completed,
    };
    let quota_open = !q.quota.is_empty() && record.quota != Some(QuotaDecision::Accepted);
    let mut first_step = true;
    for place in steps(q, record.seed) {
        let (var, question) = step_of(q, place);
        let env = Values {
            values: &w.values,
            preload,
            candidate: None,
        };
        let item_filter = match (&question.kind, place.item) {
            (QuestionKind::Grid { items, .. }, Some(i)) => items[i].filter.as_ref(),
            _ => None,
        };
        let on_route = question.filter.as_ref().is_none_or(|f| f.is_true(&env))
            && item_filter.is_none_or(|f| f.is_true(&env));
        if !on_route {
            if record.answers.contains_key(var) {
                w.off_route.push(var);
            }
            continue;
        }
        if let QuestionKind::Computed { expr, .. } = &question.kind {
            let v = expr.eval(&env);
            w.values.insert(var, v);
        } else {
            let answer = record.answers.get(var);
            let revisited = stop_at_position && record.position.as_deref() == Some(var);
            match answer {
                Some(a) if !revisited => {
                    w.route.push(var);
                    if let Some(v) = a.value() {
                        w.values.insert(var, v);
                    }
                }
                _ => {
                    w.end = End::Ask(place, var);
                    return w;
                }
            }
        }
        let env = Values {
            values: &w.values,
            preload,
            candidate: None,
        };
        // A rule's value changes only when a variable it uses gets a value, so after the first
        // step (all rules) only the rules using `var` need evaluating: same result as evaluating
        // every rule after every step, at a fraction of the cost.
        let rules: &mut dyn Iterator<Item = usize> = if first_step {
            &mut (0..q.screen_out.len())
        } else {
            &mut q
                .screen_out_triggers
                .get(var)
                .into_iter()
                .flatten()
                .copied()
        };
        first_step = false;
        if let Some(rule) = rules
            .map(|i| &q.screen_out[i])
            .find(|r| r.when.is_true(&env))
        {
            w.end = End::ScreenedOut(Some(&rule.reason));
            return w;
        }
        if quota_open && q.quota.iter().any(|v| v == var) && quota_ready(q, &w.values) {
            w.end = match record.quota {
                Some(QuotaDecision::Refused) => End::ScreenedOut(None),
                _ => End::QuotaPoint,
            };
            return w;
        }
    }
    w
}

fn quota_ready(q: &Questionnaire, values: &HashMap<&str, Value>) -> bool {
    q.quota.iter().all(|v| {
        values
            .get(v.as_str())
            .is_some_and(|v| *v != Value::Missing(Missing::NotAsked))
    })
}

/// The quota cell: the answer (or computed value) of every quota variable that has one.
pub(super) fn quota_cell(
    q: &Questionnaire,
    record: &Record,
    w: &Walk<'_>,
) -> BTreeMap<String, Answer> {
    q.quota
        .iter()
        .filter_map(|v| {
            let answer = match record.answers.get(v) {
                Some(a) if w.values.contains_key(v.as_str()) => Some(a.clone()),
                _ => w.values.get(v.as_str()).and_then(Answer::from_value),
            };
            answer.map(|a| (v.clone(), a))
        })
        .collect()
}
