//! Static type checking against the questionnaire's variables. Every error is collected and the
//! leftmost one is reported, so that authors fix expressions from left to right.

use super::ast::{CodeItem, Func, Kind, List, Node};
use super::{ExprError, Scope, Type, VarType, format_number};
use std::collections::BTreeSet;

/// Checks `root` and returns its type, or the leftmost error.
pub(super) fn check(root: &Node, scope: &dyn Scope) -> Result<Type, ExprError> {
    let mut checker = Checker {
        scope,
        errors: Vec::new(),
    };
    let ty = checker.node(root);
    match (checker.errors.into_iter().min_by_key(|e| e.column), ty) {
        (Some(error), _) => Err(error),
        (None, Some(ty)) => Ok(ty),
        (None, None) => Err(ExprError {
            column: root.col as usize,
            message: "invalid expression".into(),
        }),
    }
}

/// The type a variable of `var` has in expressions.
pub(super) fn type_of(var: &VarType) -> Type {
    match var {
        VarType::Integer { .. } | VarType::Decimal { .. } | VarType::Single { .. } => Type::Number,
        VarType::Text => Type::Text,
        VarType::Date => Type::Date,
        VarType::Multiple { .. } => Type::Codes,
        VarType::Bool => Type::Bool,
    }
}

/// How a type is named in messages ("`NOM` is text").
fn noun(ty: Type) -> &'static str {
    match ty {
        Type::Number => "a number",
        Type::Text => "text",
        Type::Date => "a date",
        Type::Bool => "a condition (true/false)",
        Type::Codes => "a multiple-choice answer",
    }
}

/// How an operand is named in messages.
fn describe(node: &Node) -> String {
    match &node.kind {
        Kind::Ref(name) => format!("`{name}`"),
        Kind::Num(n) => format_number(*n),
        Kind::Text(text) => format!("{text:?}"),
        Kind::Bool(b) => b.to_string(),
        Kind::Date(date) => format!("date(\"{date}\")"),
        _ => "this expression".into(),
    }
}

/// The option codes for messages, shortened when there are many.
fn code_list(codes: &BTreeSet<i64>) -> String {
    const SHOWN: usize = 12;
    let mut text = codes
        .iter()
        .take(SHOWN)
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if codes.len() > SHOWN {
        text.push_str(&format!(", … ({} codes)", codes.len()));
    }
    text
}

struct Checker<'s> {
    scope: &'s dyn Scope,
    errors: Vec<ExprError>,
}

impl Checker<'_> {
    fn error(&mut self, col: u32, message: impl Into<String>) {
        self.errors.push(ExprError {
            column: col as usize,
            message: message.into(),
        });
    }

    /// Looks a name up, reporting it when unknown (with a hint when only its case differs).
    fn lookup(&mut self, name: &str, col: u32) -> Option<VarType> {
        if let Some(var) = self.scope.lookup(name) {
            return Some(var);
        }
        let other_case = [name.to_ascii_uppercase(), name.to_ascii_lowercase()]
            .into_iter()
            .find(|candidate| candidate != name && self.scope.lookup(candidate).is_some());
        match other_case {
            Some(candidate) => self.error(
                col,
                format!("unknown variable `{name}` (names are case-sensitive: did you mean `{candidate}`?)"),
            ),
            None => self.error(col, format!("unknown variable `{name}`")),
        }
        None
    }

    /// The variable `node` names, when it is a bare name known to the scope.
    /// Choice variables without codes (computed ones, whose options are unknown) are left out,
    /// so that no code is checked against them.
    fn variable<'n>(&self, node: &'n Node) -> Option<(&'n str, VarType)> {
        let Kind::Ref(name) = &node.kind else {
            return None;
        };
        match self.scope.lookup(name)? {
            VarType::Single { codes } | VarType::Multiple { codes } if codes.is_empty() => None,
            var => Some((name, var)),
        }
    }

    /// Reports `node` (of type `ty`) used where something else was expected; a multiple-choice
    /// variable gets a hint towards `has` (`list`: `has_any`) instead of `message`.
    fn misuse(&mut self, node: &Node, ty: Type, message: String, list: bool) {
        let message = match (&node.kind, ty) {
            (Kind::Ref(name), Type::Codes) if list => {
                format!("`{name}` is a multiple-choice question: use has_any({name}, [codes])")
            }
            (Kind::Ref(name), Type::Codes) => {
                format!("`{name}` is a multiple-choice question: use has({name}, code)")
            }
            _ => message,
        };
        self.error(node.col, message);
    }

    /// Checks that `node` has type `want` for `what`; `None` when it has not (error reported).
    fn expect(&mut self, node: &Node, want: Type, what: &str) -> Option<()> {
        let ty = self.node(node)?;
        if ty == want {
            return Some(());
        }
        let message = format!(
            "{what} needs {}, but {} is {}",
            match want {
                Type::Number => "numbers",
                Type::Text => "text",
                Type::Date => "a date",
                Type::Bool => "conditions (true/false)",
                Type::Codes => "a multiple-choice question",
            },
            describe(node),
            noun(ty)
        );
        self.misuse(node, ty, message, false);
        None
    }

    /// Checks every node of `nodes` (all of them, to find every error) against `want`.
    fn expect_all<'n>(
        &mut self,
        nodes: impl IntoIterator<Item = &'n Node>,
        want: Type,
        what: &str,
    ) -> Option<()> {
        let mut ok = Some(());
        for node in nodes {
            if self.expect(node, want, what).is_none() {
                ok = None;
            }
        }
        ok
    }

    fn node(&mut self, node: &Node) -> Option<Type> {
        match &node.kind {
            Kind::Num(_) => Some(Type::Number),
            Kind::Text(_) => Some(Type::Text),
            Kind::Bool(_) => Some(Type::Bool),
            Kind::Date(_) => Some(Type::Date),
            Kind::Ref(name) => self.lookup(name, node.col).map(|var| type_of(&var)),
            Kind::Neg(inner) => {
                self.expect(inner, Type::Number, "`-`")?;
                Some(Type::Number)
            }
            Kind::Not(inner) => {
                self.expect(inner, Type::Bool, "`not`")?;
                Some(Type::Bool)
            }
            Kind::Arith { first, rest } => {
                let first_op = rest.first().map_or("+", |step| step.op.symbol());
                let mut ok = self.expect(first, Type::Number, &format!("`{first_op}`"));
                for step in rest.iter() {
                    let what = format!("`{}`", step.op.symbol());
                    if self.expect(&step.operand, Type::Number, &what).is_none() {
                        ok = None;
                    }
                }
                ok.map(|()| Type::Number)
            }
            Kind::Cmp(op, operands) => {
                let [left, right] = &**operands;
                let (left_ty, right_ty) = (self.node(left), self.node(right));
                let (left_ty, right_ty) = (left_ty?, right_ty?);
                let symbol = op.symbol();
                for (side, ty) in [(left, left_ty), (right, right_ty)] {
                    if ty == Type::Codes {
                        let message = format!("`{symbol}` cannot compare {}", noun(ty));
                        self.misuse(side, ty, message, false);
                        return None;
                    }
                }
                if left_ty != right_ty {
                    let date_as_text =
                        [(left_ty, right), (right_ty, left)]
                            .iter()
                            .any(|(ty, other)| {
                                *ty == Type::Date && matches!(other.kind, Kind::Text(_))
                            });
                    self.error(
                        node.col,
                        format!(
                            "cannot compare {} ({}) with {} ({}){}",
                            describe(left),
                            noun(left_ty),
                            describe(right),
                            noun(right_ty),
                            if date_as_text {
                                ": write dates as date(\"YYYY-MM-DD\")"
                            } else {
                                ""
                            }
                        ),
                    );
                    return None;
                }
                if op.is_ordering() && matches!(left_ty, Type::Text | Type::Bool) {
                    self.error(
                        node.col,
                        format!(
                            "`{symbol}` does not apply to {}: only = and != compare them",
                            if left_ty == Type::Text {
                                "texts"
                            } else {
                                "conditions"
                            }
                        ),
                    );
                    return None;
                }
                if !op.is_ordering() {
                    self.codes_compared(left, right);
                    self.codes_compared(right, left);
                }
                Some(Type::Bool)
            }
            Kind::And(items) => {
                self.expect_all(items.iter(), Type::Bool, "`and`")?;
                Some(Type::Bool)
            }
            Kind::Or(items) => {
                self.expect_all(items.iter(), Type::Bool, "`or`")?;
                Some(Type::Bool)
            }
            Kind::In { subject, list, .. } => {
                let ty = self.node(subject)?;
                let (want, kind) = match list {
                    List::Numbers(_) => (Type::Number, "numbers"),
                    List::Texts(_) => (Type::Text, "texts"),
                };
                if ty != want {
                    let message = format!(
                        "`in` cannot look for {} ({}) in a list of {kind}",
                        describe(subject),
                        noun(ty)
                    );
                    if ty == Type::Codes {
                        self.misuse(subject, ty, message, true);
                    } else {
                        self.error(node.col, message);
                    }
                    return None;
                }
                if let (List::Numbers(items), Some((name, VarType::Single { codes }))) =
                    (list, self.variable(subject))
                {
                    for item in items.iter() {
                        let (lo, hi) = (ceil_code(item.lo), floor_code(item.hi));
                        if lo > hi || codes.range(lo..=hi).next().is_none() {
                            let what = if item.range {
                                format!(
                                    "no option of `{name}` lies in {}..{}",
                                    format_number(item.lo),
                                    format_number(item.hi)
                                )
                            } else {
                                format!("{} is not an option of `{name}`", format_number(item.lo))
                            };
                            self.error(item.col, format!("{what} (codes: {})", code_list(&codes)));
                        }
                    }
                }
                Some(Type::Bool)
            }
            Kind::If(parts) => {
                let [condition, then, otherwise] = &**parts;
                let condition = self.expect(condition, Type::Bool, "the condition of `if`");
                let (then_ty, else_ty) = (self.node(then), self.node(otherwise));
                let (then_ty, else_ty) = (then_ty?, else_ty?);
                condition?;
                if then_ty != else_ty {
                    self.error(
                        otherwise.col,
                        format!(
                            "the branches of `if` must have the same type: {} after `then`, {} after `else`",
                            noun(then_ty),
                            noun(else_ty)
                        ),
                    );
                    return None;
                }
                Some(then_ty)
            }
            Kind::Status(_, name) => {
                self.lookup(name, node.col)?;
                Some(Type::Bool)
            }
            Kind::Has {
                subject,
                code,
                code_col,
            } => {
                let codes = self.multiple(subject, "has")?;
                if let Some((name, codes)) = codes
                    && !codes.contains(code)
                {
                    self.error(
                        *code_col,
                        format!(
                            "{code} is not an option of `{name}` (codes: {})",
                            code_list(&codes)
                        ),
                    );
                }
                Some(Type::Bool)
            }
            Kind::HasList {
                all,
                subject,
                codes: items,
            } => {
                let function = if *all { "has_all" } else { "has_any" };
                if let Some((name, codes)) = self.multiple(subject, function)? {
                    for item in items.iter() {
                        self.code_item(*all, item, name, &codes);
                    }
                }
                Some(Type::Bool)
            }
            Kind::Call(func, args) => self.call(*func, args),
        }
    }

    /// Checks a comparison `subject = other`: when `subject` is a single-choice variable and
    /// `other` a number literal, the number must be one of its codes.
    fn codes_compared(&mut self, subject: &Node, other: &Node) {
        let (Some((name, VarType::Single { codes })), Kind::Num(value)) =
            (self.variable(subject), &other.kind)
        else {
            return;
        };
        if value.fract() != 0.0 || !codes.contains(&(*value as i64)) {
            self.error(
                other.col,
                format!(
                    "{} is not an option of `{name}` (codes: {})",
                    format_number(*value),
                    code_list(&codes)
                ),
            );
        }
    }

    /// Checks the first argument of has/has_any/has_all/count: a multiple-choice answer. Returns
    /// the variable's name and codes when it is a bare name, to check the codes against.
    fn multiple<'n>(
        &mut self,
        subject: &'n Node,
        function: &str,
    ) -> Option<Option<(&'n str, BTreeSet<i64>)>> {
        let ty = self.node(subject)?;
        if ty != Type::Codes {
            let message = match self.variable(subject) {
                Some((name, VarType::Single { .. })) => format!(
                    "`{name}` is a single-choice question: compare it with =, e.g. {name} = 1"
                ),
                _ => format!(
                    "`{function}` needs a multiple-choice question, but {} is {}",
                    describe(subject),
                    noun(ty)
                ),
            };
            self.error(subject.col, message);
            return None;
        }
        Some(match self.variable(subject) {
            Some((name, VarType::Multiple { codes })) => Some((name, codes)),
            _ => None,
        })
    }

    /// A code (or range) of has_any / has_all must be an option (has_all: every code of the
    /// range; has_any: at least one).
    fn code_item(&mut self, all: bool, item: &CodeItem, name: &str, codes: &BTreeSet<i64>) {
        let options_in_range = codes.range(item.lo..=item.hi).count() as i128;
        let width = i128::from(item.hi) - i128::from(item.lo) + 1;
        let message = if !item.range {
            (options_in_range == 0).then(|| format!("{} is not an option of `{name}`", item.lo))
        } else if all && options_in_range < width {
            Some(format!(
                "the range {}..{} includes codes that are not options of `{name}`",
                item.lo, item.hi
            ))
        } else {
            (options_in_range == 0)
                .then(|| format!("no option of `{name}` lies in {}..{}", item.lo, item.hi))
        };
        if let Some(message) = message {
            self.error(item.col, format!("{message} (codes: {})", code_list(codes)));
        }
    }

    fn call(&mut self, func: Func, args: &[Node]) -> Option<Type> {
        let what = format!("`{}`", func.name());
        match func {
            Func::Count => {
                let first = args.first()?;
                self.multiple(first, "count")?;
            }
            Func::CountIf => self.expect_all(args, Type::Bool, &what)?,
            Func::Len => self.expect_all(args, Type::Text, &what)?,
            Func::Min | Func::Max | Func::Abs | Func::Round => {
                self.expect_all(args, Type::Number, &what)?;
            }
            Func::Year | Func::Month | Func::Day => self.expect_all(args, Type::Date, &what)?,
        }
        Some(Type::Number)
    }
}

/// The smallest whole code at or above `x`, clamped to `i64`.
fn ceil_code(x: f64) -> i64 {
    x.ceil().clamp(i64::MIN as f64, i64::MAX as f64) as i64
}

/// The largest whole code at or below `x`, clamped to `i64`.
fn floor_code(x: f64) -> i64 {
    x.floor().clamp(i64::MIN as f64, i64::MAX as f64) as i64
}
