//! Conservative satisfiability (`Expr::can_be_true`): proves some conditions can never be true,
//! from constants, the variables' domains (bounds, option codes) and contradictions between the
//! conjuncts of an `and`. Anything it cannot decide is "may be true".

use super::ast::{CmpOp, Func, Kind, List, Node, Status};
use super::eval::{Val, eval, truthy};
use super::{Env, Missing, Scope, Value, VarType};
use std::collections::BTreeSet;

/// How many case splits (on an `or`, a negated `and`, an `if`) one analysis may make; beyond,
/// the remaining disjunctions are judged one branch at a time, which is coarser but still sound.
const CASE_BUDGET: u32 = 256;

/// Whether `root` may evaluate to true.
pub(super) fn can_be_true(root: &Node, scope: &dyn Scope) -> bool {
    let mut budget = CASE_BUDGET;
    sat(root, false, scope, &mut budget)
}

/// An environment where nothing has a value, to evaluate constant parts.
struct NoValues;

impl Env for NoValues {
    fn value(&self, _name: &str) -> Value {
        Value::Missing(Missing::NotAsked)
    }
}

/// Whether `node` may be true (`negated`: whether it may be not true).
fn sat(node: &Node, negated: bool, scope: &dyn Scope, budget: &mut u32) -> bool {
    let mut atoms = Vec::new();
    flatten(node, negated, &mut atoms);
    sat_conjunction(atoms, scope, budget)
}

/// A conjunct, and whether it is negated.
type Atom<'n> = (&'n Node, bool);

/// Whether all of `atoms` may hold together. Disjunctions are split into cases, each case
/// analysed with the other conjuncts, so that `SEXE = 2 and (SEXE = 1 or AGE > 200)` is found
/// impossible.
fn sat_conjunction(mut atoms: Vec<Atom<'_>>, scope: &dyn Scope, budget: &mut u32) -> bool {
    let split = atoms
        .iter()
        .position(|&(atom, negated)| !cases(atom, negated).is_empty() && !atom.is_constant());
    if let Some(index) = split.filter(|_| *budget > 0) {
        *budget -= 1;
        let (atom, negated) = atoms.swap_remove(index);
        return cases(atom, negated).into_iter().any(|case| {
            let mut conjunction = atoms.clone();
            conjunction.extend(case);
            sat_conjunction(conjunction, scope, budget)
        });
    }
    atoms
        .iter()
        .all(|&(atom, negated)| sat_atom(atom, negated, scope, budget))
        && jointly_sat(&atoms, scope)
}

/// The cases of a disjunctive conjunct, each a flattened conjunction; none for any other
/// conjunct.
fn cases(atom: &Node, negated: bool) -> Vec<Vec<Atom<'_>>> {
    match (&atom.kind, negated) {
        (Kind::Or(items), false) | (Kind::And(items), true) => items
            .iter()
            .map(|item| conjunction(&[(item, negated)]))
            .collect(),
        // `if c then a else b` takes `a` when `c` is true, `b` otherwise (false or missing).
        (Kind::If(parts), _) => {
            let [condition, then, otherwise] = &**parts;
            vec![
                conjunction(&[(condition, false), (then, negated)]),
                conjunction(&[(condition, true), (otherwise, negated)]),
            ]
        }
        _ => Vec::new(),
    }
}

/// The flattened conjunction of `parts`.
fn conjunction<'n>(parts: &[Atom<'n>]) -> Vec<Atom<'n>> {
    let mut atoms = Vec::new();
    for &(node, negated) in parts {
        flatten(node, negated, &mut atoms);
    }
    atoms
}

/// Splits a conjunction into its conjuncts, pushing negations inwards through `not`, `and`
/// (negated) and `or` (negated).
fn flatten<'n>(node: &'n Node, negated: bool, out: &mut Vec<Atom<'n>>) {
    match (&node.kind, negated) {
        (Kind::And(items), false) | (Kind::Or(items), true) => {
            items.iter().for_each(|item| flatten(item, negated, out));
        }
        (Kind::Not(inner), _) => flatten(inner, !negated, out),
        _ => out.push((node, negated)),
    }
}

/// Whether one conjunct may hold on its own.
fn sat_atom(atom: &Node, negated: bool, scope: &dyn Scope, budget: &mut u32) -> bool {
    if atom.is_constant() {
        return truthy(atom, &NoValues) != negated;
    }
    match (&atom.kind, negated) {
        (Kind::Or(_), false) | (Kind::And(_), true) | (Kind::If(_), _) => cases(atom, negated)
            .into_iter()
            .any(|case| sat_conjunction(case, scope, budget)),
        (Kind::Has { subject, code, .. }, false) => {
            multiple_codes(subject, scope).is_none_or(|codes| codes.contains(code))
        }
        (
            Kind::HasList {
                all,
                subject,
                codes: items,
            },
            false,
        ) => multiple_codes(subject, scope).is_none_or(|codes| {
            let options_in = |lo: i64, hi: i64| codes.range(lo..=hi).count() as i128;
            let width = |lo: i64, hi: i64| i128::from(hi) - i128::from(lo) + 1;
            if *all {
                items
                    .iter()
                    .all(|item| options_in(item.lo, item.hi) == width(item.lo, item.hi))
            } else {
                items.iter().any(|item| options_in(item.lo, item.hi) > 0)
            }
        }),
        _ => true,
    }
}

/// The options of the multiple-choice variable `subject` names, when known.
fn multiple_codes(subject: &Node, scope: &dyn Scope) -> Option<BTreeSet<i64>> {
    let Kind::Ref(name) = &subject.kind else {
        return None;
    };
    match scope.lookup(name)? {
        VarType::Multiple { codes } if !codes.is_empty() => Some(codes),
        _ => None,
    }
}

/// The states a variable may be in, as a bit set: answered, not asked, don't know, refused.
const ANSWERED: u8 = 1;
const NOT_ANSWERED: u8 = 2 | 4 | 8;
const ANY_STATE: u8 = ANSWERED | NOT_ANSWERED;

fn status_states(status: Status) -> u8 {
    match status {
        Status::Answered => ANSWERED,
        Status::DontKnow => 4,
        Status::Refused => 8,
    }
}

/// What a numeric constraint is about.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Subject<'n> {
    Var(&'n str),
    Count(&'n str),
}

/// A numeric constraint from one conjunct. A negated comparison (`not (AGE < 18)`) is also true
/// when the variable is missing, so it constrains the value only when another conjunct requires
/// the variable to be answered.
struct Constraint<'n> {
    subject: Subject<'n>,
    allowed: Intervals,
    if_answered: bool,
}

/// Whether the conjuncts' constraints on the same variables are compatible: the states they
/// require (answered, don't know…) and the numeric values they allow.
fn jointly_sat<'n>(atoms: &[Atom<'n>], scope: &dyn Scope) -> bool {
    let mut states: Vec<(&'n str, u8)> = Vec::new();
    let mut require = |name: &'n str, allowed: u8| match states.iter().position(|(n, _)| *n == name)
    {
        Some(i) => states[i].1 &= allowed,
        None => states.push((name, allowed)),
    };
    let mut constraints: Vec<Constraint<'n>> = Vec::new();
    for &(atom, negated) in atoms {
        let (refs, constraint): (&[Node], _) = match &atom.kind {
            Kind::Status(status, name) => {
                let allowed = status_states(*status);
                require(
                    name,
                    if negated {
                        ANY_STATE & !allowed
                    } else {
                        allowed
                    },
                );
                continue;
            }
            Kind::Cmp(op, operands) => {
                let [left, right] = &**operands;
                let op = if negated { op.negated() } else { *op };
                let constraint = match (
                    subject(left),
                    constant(right),
                    subject(right),
                    constant(left),
                ) {
                    (Some(s), Some(c), _, _) => Some((s, comparison(op, c))),
                    (_, _, Some(s), Some(c)) => Some((s, comparison(op.flipped(), c))),
                    _ => None,
                };
                (&operands[..], constraint)
            }
            Kind::In {
                subject: node,
                list,
                negated: not_in,
            } => {
                let constraint = match (subject(node), list) {
                    (Some(s), List::Numbers(items)) => {
                        let listed: Intervals = items
                            .iter()
                            .map(|item| Interval::closed(item.lo, item.hi))
                            .collect();
                        Some((
                            s,
                            if *not_in != negated {
                                complement(listed)
                            } else {
                                listed
                            },
                        ))
                    }
                    _ => None,
                };
                (std::slice::from_ref(&**node), constraint)
            }
            Kind::Has { subject: node, .. } | Kind::HasList { subject: node, .. } => {
                (std::slice::from_ref(&**node), None)
            }
            _ => continue,
        };
        // A comparison, `in` or `has` is false on a missing value: when it holds, the names it
        // compares are answered.
        if !negated {
            for node in refs {
                if let Kind::Ref(name) = &node.kind {
                    require(name, ANSWERED);
                }
            }
        }
        if let Some((subject, allowed)) = constraint {
            constraints.push(Constraint {
                subject,
                allowed,
                if_answered: negated && matches!(subject, Subject::Var(_)),
            });
        }
    }
    if states.iter().any(|&(_, allowed)| allowed == 0) {
        return false;
    }
    let answered = |subject: Subject<'_>| match subject {
        Subject::Var(name) => states.contains(&(name, ANSWERED)),
        Subject::Count(_) => true,
    };
    let mut done: Vec<Subject<'_>> = Vec::new();
    for constraint in &constraints {
        let subject = constraint.subject;
        if done.contains(&subject) {
            continue;
        }
        done.push(subject);
        let Some((mut allowed, integer)) = domain(subject, scope) else {
            continue;
        };
        let applicable = constraints
            .iter()
            .filter(|c| c.subject == subject && (!c.if_answered || answered(subject)));
        for constraint in applicable {
            allowed = intersect(&allowed, &constraint.allowed, integer);
            if allowed.is_empty() {
                return false;
            }
        }
    }
    true
}

/// The subject of a numeric constraint: a variable, or `count(variable)`.
fn subject(node: &Node) -> Option<Subject<'_>> {
    match &node.kind {
        Kind::Ref(name) => Some(Subject::Var(name)),
        Kind::Call(Func::Count, args) => match args.first().map(|arg| &arg.kind) {
            Some(Kind::Ref(name)) => Some(Subject::Count(name)),
            _ => None,
        },
        _ => None,
    }
}

/// The value of a constant number expression.
fn constant(node: &Node) -> Option<f64> {
    if !node.is_constant() {
        return None;
    }
    match eval(node, &NoValues) {
        Val::Num(n) => Some(n),
        _ => None,
    }
}

/// The values a subject can take at all, and whether they are whole numbers; `None` when it is
/// not numeric (or unknown) and nothing can be proven.
fn domain(subject: Subject<'_>, scope: &dyn Scope) -> Option<(Intervals, bool)> {
    let bound = |value: Option<f64>, infinity: f64| value.unwrap_or(infinity);
    match (
        subject,
        scope.lookup(match subject {
            Subject::Var(name) | Subject::Count(name) => name,
        })?,
    ) {
        (Subject::Var(_), VarType::Integer { min, max }) => Some((
            vec![Interval::closed(
                bound(min, f64::NEG_INFINITY),
                bound(max, f64::INFINITY),
            )],
            true,
        )),
        (Subject::Var(_), VarType::Decimal { min, max }) => Some((
            vec![Interval::closed(
                bound(min, f64::NEG_INFINITY),
                bound(max, f64::INFINITY),
            )],
            false,
        )),
        (Subject::Var(_), VarType::Single { codes }) if !codes.is_empty() => Some((
            codes
                .iter()
                .map(|&code| Interval::closed(code as f64, code as f64))
                .collect(),
            true,
        )),
        (Subject::Count(_), VarType::Multiple { codes }) if !codes.is_empty() => {
            Some((vec![Interval::closed(0.0, codes.len() as f64)], true))
        }
        _ => None,
    }
}

/// An interval of the real line, each end open or closed (infinite ends are open or closed
/// indifferently).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Interval {
    lo: f64,
    lo_open: bool,
    hi: f64,
    hi_open: bool,
}

/// A union of intervals.
type Intervals = Vec<Interval>;

impl Interval {
    fn closed(lo: f64, hi: f64) -> Interval {
        Interval {
            lo,
            lo_open: false,
            hi,
            hi_open: false,
        }
    }

    fn is_empty(&self) -> bool {
        self.lo > self.hi || (self.lo == self.hi && (self.lo_open || self.hi_open))
    }

    /// The same interval narrowed to its whole numbers' closed hull.
    fn whole(self) -> Interval {
        let lo = match (self.lo.is_finite(), self.lo_open) {
            (true, true) => self.lo.floor() + 1.0,
            (true, false) => self.lo.ceil(),
            (false, _) => self.lo,
        };
        let hi = match (self.hi.is_finite(), self.hi_open) {
            (true, true) => self.hi.ceil() - 1.0,
            (true, false) => self.hi.floor(),
            (false, _) => self.hi,
        };
        Interval::closed(lo, hi)
    }

    fn intersect(&self, other: &Interval) -> Interval {
        let (lo, lo_open) = if self.lo > other.lo || (self.lo == other.lo && self.lo_open) {
            (self.lo, self.lo_open)
        } else {
            (other.lo, other.lo_open)
        };
        let (hi, hi_open) = if self.hi < other.hi || (self.hi == other.hi && self.hi_open) {
            (self.hi, self.hi_open)
        } else {
            (other.hi, other.hi_open)
        };
        Interval {
            lo,
            lo_open,
            hi,
            hi_open,
        }
    }
}

/// The values `x` with `x op c`.
fn comparison(op: CmpOp, c: f64) -> Intervals {
    let (inf, neg_inf) = (f64::INFINITY, f64::NEG_INFINITY);
    let interval = |lo, lo_open, hi, hi_open| Interval {
        lo,
        lo_open,
        hi,
        hi_open,
    };
    match op {
        CmpOp::Eq => vec![Interval::closed(c, c)],
        CmpOp::Ne => vec![
            interval(neg_inf, true, c, true),
            interval(c, true, inf, true),
        ],
        CmpOp::Lt => vec![interval(neg_inf, true, c, true)],
        CmpOp::Le => vec![interval(neg_inf, true, c, false)],
        CmpOp::Gt => vec![interval(c, true, inf, true)],
        CmpOp::Ge => vec![interval(c, false, inf, true)],
    }
}

/// The values of the real line outside every interval of `listed` (closed intervals).
fn complement(mut listed: Intervals) -> Intervals {
    listed.sort_by(|a, b| a.lo.total_cmp(&b.lo));
    let mut gaps = Vec::new();
    let (mut from, mut from_open) = (f64::NEG_INFINITY, true);
    for item in listed {
        gaps.push(Interval {
            lo: from,
            lo_open: from_open,
            hi: item.lo,
            hi_open: true,
        });
        if item.hi > from {
            (from, from_open) = (item.hi, true);
        }
    }
    gaps.push(Interval {
        lo: from,
        lo_open: from_open,
        hi: f64::INFINITY,
        hi_open: true,
    });
    gaps.retain(|gap| !gap.is_empty());
    gaps
}

/// The intersection of two unions (restricted to whole numbers when `integer`).
fn intersect(a: &Intervals, b: &Intervals, integer: bool) -> Intervals {
    let mut out = Vec::new();
    for x in a {
        for y in b {
            let mut both = x.intersect(y);
            if integer {
                both = both.whole();
            }
            if !both.is_empty() {
                out.push(both);
            }
        }
    }
    out
}
