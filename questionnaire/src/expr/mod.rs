//! The expression language of filters, checks and computed variables (grammar in
//! `docs/expressions.md`). Parsed once when the questionnaire is loaded, type-checked against the
//! questionnaire's variables, evaluated by the engine at each step.
//!
//! INTERFACE CONTRACT (shared by the format/engine code): the signatures below are fixed; the
//! bodies are being implemented.

use crate::date::Date;
use std::collections::BTreeSet;

/// A parsed expression, ready to check and evaluate many times.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    source: String,
}

/// A parse or type error, located in the expression's source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (column {column})")]
pub struct ExprError {
    /// 1-based column, in characters, inside the expression source.
    pub column: usize,
    /// What is wrong, in English, for authors.
    pub message: String,
}

/// A name used by an expression, with where it appears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The variable or preload field named.
    pub name: String,
    /// 1-based column of the name in the expression source.
    pub column: usize,
}

/// What a name refers to, as far as type checking is concerned.
#[derive(Debug, Clone, PartialEq)]
pub enum VarType {
    /// Whole number (integer question, scale, integer preload); bounds if known.
    Integer { min: Option<f64>, max: Option<f64> },
    /// Decimal number; bounds if known.
    Decimal { min: Option<f64>, max: Option<f64> },
    /// Free text.
    Text,
    /// Calendar date.
    Date,
    /// Single choice (or grid item) with its option codes.
    Single { codes: BTreeSet<i64> },
    /// Multiple choice with its option codes.
    Multiple { codes: BTreeSet<i64> },
    /// Boolean (computed variables only).
    Bool,
}

/// The static type of an expression's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    Number,
    Text,
    Date,
    Bool,
    /// A set of option codes (a multiple-choice answer).
    Codes,
}

/// Looks names up while type checking.
pub trait Scope {
    /// The type of `name`, or `None` when no such variable or preload field exists.
    fn lookup(&self, name: &str) -> Option<VarType>;
}

/// Why a value is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Not asked (off route, or not reached yet).
    NotAsked,
    DontKnow,
    Refused,
}

/// A runtime value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Missing(Missing),
    Number(f64),
    Text(String),
    Date(Date),
    Bool(bool),
    Codes(BTreeSet<i64>),
}

/// Gives the current value of names while evaluating.
pub trait Env {
    /// The value of `name`; `Value::Missing(Missing::NotAsked)` when it has none.
    fn value(&self, name: &str) -> Value;
}

/// Parses an expression.
pub fn parse(source: &str) -> Result<Expr, ExprError> {
    Ok(Expr {
        source: source.to_string(),
    })
}

impl Expr {
    /// The source text this expression was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Every name the expression refers to, in order of appearance.
    pub fn references(&self) -> Vec<Reference> {
        Vec::new()
    }

    /// Type-checks against `scope`: unknown names, operators applied to the wrong types, codes
    /// that are not options of the variable compared with them.
    pub fn check(&self, _scope: &dyn Scope) -> Result<Type, ExprError> {
        Ok(Type::Bool)
    }

    /// Conservative satisfiability: `false` only when the expression can be proven never true
    /// given the domains in `scope` (e.g. `AGE < 10` with `AGE` in 15..=120, or a code that is no
    /// option). Used to find unreachable questions.
    pub fn can_be_true(&self, _scope: &dyn Scope) -> bool {
        true
    }

    /// Evaluates. Never panics: type errors were caught by `check`; anything unexpected at run
    /// time (division by zero, a missing operand) gives `Value::Missing(Missing::NotAsked)`.
    pub fn eval(&self, _env: &dyn Env) -> Value {
        Value::Bool(true)
    }

    /// Evaluates as a condition: true only when the value is `Bool(true)`.
    pub fn is_true(&self, env: &dyn Env) -> bool {
        matches!(self.eval(env), Value::Bool(true))
    }
}
