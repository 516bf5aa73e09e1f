//! Evaluation of the syntax tree against an interview's values, with the missing-value rules of
//! `docs/expressions.md`. Never panics: a value of an unexpected type at run time (which `check`
//! rules out) is treated as missing.

use super::ast::{ArithOp, CmpOp, CodeItem, Func, Kind, List, Node, Status};
use super::{Env, Missing, Value};
use crate::date::Date;
use std::borrow::Cow;
use std::collections::BTreeSet;

/// A value during evaluation: texts borrow from the tree when they are literals.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Val<'a> {
    Missing(Missing),
    Num(f64),
    Bool(bool),
    Date(Date),
    Text(Cow<'a, str>),
    Codes(BTreeSet<i64>),
}

/// What anything unexpected evaluates to.
const UNKNOWN: Val<'static> = Val::Missing(Missing::NotAsked);

impl From<Value> for Val<'_> {
    fn from(value: Value) -> Self {
        match value {
            Value::Missing(missing) => Val::Missing(missing),
            Value::Number(n) => Val::Num(n),
            Value::Text(text) => Val::Text(Cow::Owned(text)),
            Value::Date(date) => Val::Date(date),
            Value::Bool(b) => Val::Bool(b),
            Value::Codes(codes) => Val::Codes(codes),
        }
    }
}

impl From<Val<'_>> for Value {
    fn from(value: Val<'_>) -> Self {
        match value {
            Val::Missing(missing) => Value::Missing(missing),
            Val::Num(n) => Value::Number(n),
            Val::Text(text) => Value::Text(text.into_owned()),
            Val::Date(date) => Value::Date(date),
            Val::Bool(b) => Value::Bool(b),
            Val::Codes(codes) => Value::Codes(codes),
        }
    }
}

/// A number result, missing when it is not finite (overflow, 0/0).
fn number(n: f64) -> Val<'static> {
    if n.is_finite() { Val::Num(n) } else { UNKNOWN }
}

/// Evaluates `node` as a condition: only `true` is true; missing counts as false.
pub(super) fn truthy(node: &Node, env: &dyn Env) -> bool {
    matches!(eval(node, env), Val::Bool(true))
}

/// Evaluates `node` to a number, or the reason there is none.
fn num(node: &Node, env: &dyn Env) -> Result<f64, Missing> {
    match eval(node, env) {
        Val::Num(n) => Ok(n),
        Val::Missing(missing) => Err(missing),
        _ => Err(Missing::NotAsked),
    }
}

fn result(value: Result<f64, Missing>) -> Val<'static> {
    match value {
        Ok(n) => number(n),
        Err(missing) => Val::Missing(missing),
    }
}

pub(super) fn eval<'a>(node: &'a Node, env: &dyn Env) -> Val<'a> {
    match &node.kind {
        Kind::Num(n) => Val::Num(*n),
        Kind::Text(text) => Val::Text(Cow::Borrowed(text)),
        Kind::Bool(b) => Val::Bool(*b),
        Kind::Date(date) => Val::Date(*date),
        Kind::Ref(name) => env.value(name).into(),
        Kind::Neg(inner) => result(num(inner, env).map(|n| -n)),
        Kind::Not(inner) => Val::Bool(!truthy(inner, env)),
        Kind::Arith { first, rest } => {
            let mut acc = num(first, env);
            for step in rest.iter() {
                let Ok(left) = acc else { break };
                acc = num(&step.operand, env).and_then(|right| arith(step.op, left, right));
            }
            result(acc)
        }
        Kind::Cmp(op, operands) => {
            let [left, right] = &**operands;
            Val::Bool(compare(*op, &eval(left, env), &eval(right, env)))
        }
        Kind::And(items) => Val::Bool(items.iter().all(|item| truthy(item, env))),
        Kind::Or(items) => Val::Bool(items.iter().any(|item| truthy(item, env))),
        Kind::In {
            subject,
            list,
            negated,
        } => {
            let found = match (eval(subject, env), list) {
                (Val::Num(n), List::Numbers(items)) => {
                    items.iter().any(|item| item.lo <= n && n <= item.hi)
                }
                (Val::Text(text), List::Texts(items)) => {
                    items.iter().any(|item| *item.text == *text)
                }
                // Missing (or mistyped): `in` and `not in` are both false.
                _ => return Val::Bool(false),
            };
            Val::Bool(found != *negated)
        }
        Kind::If(parts) => {
            let [condition, then, otherwise] = &**parts;
            if truthy(condition, env) {
                eval(then, env)
            } else {
                eval(otherwise, env)
            }
        }
        Kind::Status(status, name) => {
            let value = env.value(name);
            Val::Bool(match status {
                Status::Answered => !matches!(value, Value::Missing(_)),
                Status::DontKnow => value == Value::Missing(Missing::DontKnow),
                Status::Refused => value == Value::Missing(Missing::Refused),
            })
        }
        Kind::Has { subject, code, .. } => Val::Bool(match eval(subject, env) {
            Val::Codes(codes) => codes.contains(code),
            _ => false,
        }),
        Kind::HasList {
            all,
            subject,
            codes,
        } => Val::Bool(match eval(subject, env) {
            Val::Codes(chosen) if *all => codes.iter().all(|item| has_every(&chosen, item)),
            Val::Codes(chosen) => codes
                .iter()
                .any(|item| chosen.range(item.lo..=item.hi).next().is_some()),
            _ => false,
        }),
        Kind::Call(func, args) => call(*func, args, env),
    }
}

fn arith(op: ArithOp, left: f64, right: f64) -> Result<f64, Missing> {
    let value = match op {
        ArithOp::Add => left + right,
        ArithOp::Sub => left - right,
        ArithOp::Mul => left * right,
        ArithOp::Div if right == 0.0 => return Err(Missing::NotAsked),
        ArithOp::Div => left / right,
        ArithOp::Rem if right == 0.0 => return Err(Missing::NotAsked),
        ArithOp::Rem => left % right,
    };
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Missing::NotAsked)
    }
}

/// Any comparison involving a missing value (or values of different types) is false.
fn compare(op: CmpOp, left: &Val<'_>, right: &Val<'_>) -> bool {
    match (left, right) {
        (Val::Num(a), Val::Num(b)) => a.partial_cmp(b).is_some_and(|o| op.holds(o)),
        (Val::Date(a), Val::Date(b)) => op.holds(a.cmp(b)),
        // Texts and booleans are only tested for equality.
        (Val::Text(a), Val::Text(b)) => equality(op, a == b),
        (Val::Bool(a), Val::Bool(b)) => equality(op, a == b),
        _ => false,
    }
}

fn equality(op: CmpOp, equal: bool) -> bool {
    match op {
        CmpOp::Eq => equal,
        CmpOp::Ne => !equal,
        _ => false,
    }
}

/// Whether every code of `item` (one code, or each code of a range) was chosen.
fn has_every(chosen: &BTreeSet<i64>, item: &CodeItem) -> bool {
    let wanted = i128::from(item.hi) - i128::from(item.lo) + 1;
    chosen.range(item.lo..=item.hi).count() as i128 == wanted
}

fn call<'a>(func: Func, args: &'a [Node], env: &dyn Env) -> Val<'a> {
    let Some(first) = args.first() else {
        return UNKNOWN;
    };
    match func {
        Func::Count => match eval(first, env) {
            Val::Codes(codes) => Val::Num(codes.len() as f64),
            Val::Missing(_) => Val::Num(0.0),
            _ => UNKNOWN,
        },
        Func::CountIf => Val::Num(args.iter().filter(|arg| truthy(arg, env)).count() as f64),
        Func::Len => match eval(first, env) {
            Val::Text(text) => Val::Num(text.chars().count() as f64),
            Val::Missing(missing) => Val::Missing(missing),
            _ => UNKNOWN,
        },
        Func::Min | Func::Max => {
            let pick = if func == Func::Min {
                f64::min
            } else {
                f64::max
            };
            let mut acc = num(first, env);
            for arg in &args[1..] {
                let Ok(best) = acc else { break };
                acc = num(arg, env).map(|n| pick(best, n));
            }
            result(acc)
        }
        Func::Abs => result(num(first, env).map(f64::abs)),
        Func::Round => {
            let value = num(first, env);
            let Some(digits) = args.get(1) else {
                return result(value.map(f64::round));
            };
            result(value.and_then(|x| {
                let digits = num(digits, env)?;
                if digits.fract() != 0.0 || digits.abs() > 15.0 {
                    return Err(Missing::NotAsked);
                }
                let scale = 10f64.powi(digits as i32);
                Ok((x * scale).round() / scale)
            }))
        }
        Func::Year | Func::Month | Func::Day => match eval(first, env) {
            Val::Date(date) => Val::Num(match func {
                Func::Year => f64::from(date.year),
                Func::Month => f64::from(date.month),
                _ => f64::from(date.day),
            }),
            Val::Missing(missing) => Val::Missing(missing),
            _ => UNKNOWN,
        },
    }
}
