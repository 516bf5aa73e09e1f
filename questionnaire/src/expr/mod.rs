//! The expression language of filters, checks and computed variables (grammar in
//! `docs/expressions.md`). Parsed once when the questionnaire is loaded, type-checked against the
//! questionnaire's variables, evaluated by the engine at each step.
//!
//! INTERFACE CONTRACT (shared by the format/engine code): the signatures below are fixed.
//!
//! The source is parsed once into a compact tree (module `ast`) whose functions, code lists and date
//! literals are resolved and validated at parse time, so that evaluation only walks the tree.

mod ast;
mod domain;
mod eval;
mod lexer;
mod parser;
mod typecheck;

#[cfg(test)]
mod tests;

use crate::date::Date;
use std::collections::BTreeSet;
use std::fmt;

/// A parsed expression, ready to check and evaluate many times.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    source: String,
    root: ast::Node,
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
    /// A number: integer, decimal, scale, single-choice code.
    Number,
    /// A text.
    Text,
    /// A calendar date.
    Date,
    /// A condition: true or false.
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
    /// Answered "don't know".
    DontKnow,
    /// Answered "refused".
    Refused,
}

/// A runtime value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No substantive value, and why.
    Missing(Missing),
    /// A number (a single choice's code, an integer, a decimal).
    Number(f64),
    /// A text.
    Text(String),
    /// A calendar date.
    Date(Date),
    /// A condition's value.
    Bool(bool),
    /// The codes chosen in a multiple-choice question.
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
        root: parser::parse(source)?,
    })
}

/// Whether `word` is reserved by the expression language (`and`, `or`, `not`, `in`, `if`,
/// `then`, `else`, `true`, `false`, in any case), so cannot name a variable used in expressions.
pub fn is_keyword(word: &str) -> bool {
    lexer::Keyword::from_word(word).is_some()
}

impl Expr {
    /// The source text this expression was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Every name the expression refers to, in order of appearance.
    pub fn references(&self) -> Vec<Reference> {
        let mut references = Vec::new();
        self.root.walk_names(&mut |name, column| {
            references.push(Reference {
                name: name.to_string(),
                column: column as usize,
            });
        });
        references
    }

    /// Type-checks against `scope`: unknown names, operators applied to the wrong types, codes
    /// that are not options of the variable compared with them.
    pub fn check(&self, scope: &dyn Scope) -> Result<Type, ExprError> {
        typecheck::check(&self.root, scope)
    }

    /// Conservative satisfiability: `false` only when the expression can be proven never true
    /// given the domains in `scope` (e.g. `AGE < 10` with `AGE` in 15..=120, or a code that is no
    /// option). Used to find unreachable questions.
    pub fn can_be_true(&self, scope: &dyn Scope) -> bool {
        domain::can_be_true(&self.root, scope)
    }

    /// Evaluates. Never panics: type errors were caught by `check`; anything unexpected at run
    /// time (division by zero, a missing operand) gives `Value::Missing(Missing::NotAsked)`.
    pub fn eval(&self, env: &dyn Env) -> Value {
        eval::eval(&self.root, env).into()
    }

    /// Evaluates as a condition: true only when the value is `Bool(true)`.
    pub fn is_true(&self, env: &dyn Env) -> bool {
        eval::truthy(&self.root, env)
    }
}

/// Shows the source text, as the author wrote it.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// Names the type as messages do: `number`, `text`, `date`, `true/false`, `codes`.
impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Type::Number => "number",
            Type::Text => "text",
            Type::Date => "date",
            Type::Bool => "true/false",
            Type::Codes => "codes",
        })
    }
}

impl VarType {
    /// The type a variable of this kind has in expressions (single choice: its code, a number).
    pub fn expr_type(&self) -> Type {
        typecheck::type_of(self)
    }
}

/// Writes a number as authors write it: whole numbers without a decimal point.
fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}
