//! Recursive-descent parser from tokens to the syntax tree (grammar in `docs/expressions.md`).

use super::ast::{
    ArithOp, CmpOp, CodeItem, Func, Kind, List, Node, NumItem, Operation, Status, TextItem,
};
use super::lexer::{Keyword, Tok, Token, lex};
use super::{ExprError, format_number};
use crate::date::Date;

/// How deeply parentheses, `not`, unary minus, `if` and function calls may nest; keeps the
/// parser and the evaluator's recursion bounded whatever the input.
const MAX_DEPTH: u32 = 64;

/// The functions, for error messages.
const FUNCTIONS: &str = "answered, dk, refused, has, has_any, has_all, count, countif, len, min, \
                         max, abs, round, year, month, day, date";

type Result<T> = std::result::Result<T, ExprError>;

/// Parses a whole expression.
pub(super) fn parse(source: &str) -> Result<Node> {
    let tokens = lex(source)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    if parser.peek() == &Tok::Eof {
        return Err(error(1, "empty expression"));
    }
    let node = parser.expr()?;
    match parser.peek() {
        Tok::Eof => Ok(node),
        Tok::RParen => Err(parser.error_here("unexpected `)`: no parenthesis is open here")),
        Tok::Comma => Err(parser.error_here(
            "unexpected `,` after the end of the expression (decimals are written with a point: 1.5)",
        )),
        tok => {
            let message = format!("unexpected {tok} after the end of the expression");
            Err(parser.error_here(message))
        }
    }
}

fn error(col: u32, message: impl Into<String>) -> ExprError {
    ExprError {
        column: col as usize,
        message: message.into(),
    }
}

/// A function argument: an expression, or a literal list where the function takes one.
enum Arg {
    Expr(Node),
    List(Vec<Item>, u32),
}

/// A literal list item before the list's kind is known.
enum Item {
    Num(NumItem),
    Text(TextItem),
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: u32,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.tokens[self.pos].tok
    }

    fn peek_at(&self, offset: usize) -> &Tok {
        let last = self.tokens.len() - 1;
        &self.tokens[(self.pos + offset).min(last)].tok
    }

    fn col(&self) -> u32 {
        self.tokens[self.pos].col
    }

    /// Consumes the current token (never moves past `Eof`) and returns its column.
    fn bump(&mut self) -> u32 {
        let col = self.col();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        col
    }

    fn error_here(&self, message: impl Into<String>) -> ExprError {
        error(self.col(), message)
    }

    fn expected(&self, what: &str) -> ExprError {
        self.error_here(format!("expected {what}, found {}", self.peek()))
    }

    /// Counts one level of nesting, failing beyond `MAX_DEPTH`.
    fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_here(format!(
                "expression nested too deeply (more than {MAX_DEPTH} levels)"
            )));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// expr := if_expr | or_expr
    fn expr(&mut self) -> Result<Node> {
        self.enter()?;
        let node = if self.peek() == &Tok::Kw(Keyword::If) {
            self.if_expr()
        } else {
            self.or_expr()
        };
        self.leave();
        node
    }

    fn if_expr(&mut self) -> Result<Node> {
        let col = self.bump();
        let condition = self.expr()?;
        self.keyword(Keyword::Then, "`then` after the condition of `if`")?;
        let then = self.expr()?;
        self.keyword(
            Keyword::Else,
            "`else` (every `if … then …` needs an `else`)",
        )?;
        let otherwise = self.expr()?;
        Ok(Node {
            col,
            kind: Kind::If(Box::new([condition, then, otherwise])),
        })
    }

    fn keyword(&mut self, keyword: Keyword, what: &str) -> Result<()> {
        if self.peek() == &Tok::Kw(keyword) {
            self.bump();
            Ok(())
        } else {
            Err(self.expected(what))
        }
    }

    fn or_expr(&mut self) -> Result<Node> {
        self.chain(Keyword::Or, Self::and_expr, Kind::Or)
    }

    fn and_expr(&mut self) -> Result<Node> {
        self.chain(Keyword::And, Self::not_expr, Kind::And)
    }

    /// `operand (keyword operand)*`, flattened into one n-ary node.
    fn chain(
        &mut self,
        keyword: Keyword,
        operand: fn(&mut Self) -> Result<Node>,
        make: fn(Box<[Node]>) -> Kind,
    ) -> Result<Node> {
        let first = operand(self)?;
        if self.peek() != &Tok::Kw(keyword) {
            return Ok(first);
        }
        let col = self.col();
        let mut items = vec![first];
        while self.peek() == &Tok::Kw(keyword) {
            self.bump();
            items.push(operand(self)?);
        }
        Ok(Node {
            col,
            kind: make(items.into_boxed_slice()),
        })
    }

    fn not_expr(&mut self) -> Result<Node> {
        if self.peek() != &Tok::Kw(Keyword::Not) {
            return self.comparison();
        }
        let col = self.bump();
        self.enter()?;
        let inner = self.not_expr();
        self.leave();
        Ok(Node {
            col,
            kind: Kind::Not(Box::new(inner?)),
        })
    }

    /// comparison := sum [ cmp_op sum | ["not"] "in" list ]; comparisons do not chain.
    fn comparison(&mut self) -> Result<Node> {
        let left = self.sum()?;
        let node = if let Some(op) = cmp_op(self.peek()) {
            let col = self.bump();
            let right = self.sum()?;
            Node {
                col,
                kind: Kind::Cmp(op, Box::new([left, right])),
            }
        } else if self.peek() == &Tok::Kw(Keyword::In)
            || (self.peek() == &Tok::Kw(Keyword::Not) && self.peek_at(1) == &Tok::Kw(Keyword::In))
        {
            let negated = self.peek() == &Tok::Kw(Keyword::Not);
            let col = self.bump();
            if negated {
                self.bump();
            }
            let list = self.in_list()?;
            Node {
                col,
                kind: Kind::In {
                    subject: Box::new(left),
                    list,
                    negated,
                },
            }
        } else {
            return Ok(left);
        };
        if cmp_op(self.peek()).is_some() || self.peek() == &Tok::Kw(Keyword::In) {
            return Err(self.error_here(
                "comparisons cannot be chained: write `A < B and B < C` instead of `A < B < C`",
            ));
        }
        Ok(node)
    }

    fn in_list(&mut self) -> Result<List> {
        if self.peek() != &Tok::LBracket {
            return Err(self.expected("a list such as [1, 2, 5..7] after `in`"));
        }
        let (items, _) = self.list()?;
        let mut numbers = Vec::new();
        let mut texts = Vec::new();
        for item in items {
            match item {
                Item::Num(item) if texts.is_empty() => numbers.push(item),
                Item::Text(item) if numbers.is_empty() => texts.push(item),
                Item::Num(NumItem { col, .. }) | Item::Text(TextItem { col, .. }) => {
                    return Err(error(col, "a list cannot mix numbers and texts"));
                }
            }
        }
        Ok(if texts.is_empty() {
            List::Numbers(numbers.into_boxed_slice())
        } else {
            List::Texts(texts.into_boxed_slice())
        })
    }

    /// list := "[" item ("," item)* [","] "]"; returns the items and the column of `[`.
    fn list(&mut self) -> Result<(Vec<Item>, u32)> {
        let open = self.bump();
        let mut items = Vec::new();
        loop {
            match self.peek() {
                Tok::RBracket if items.is_empty() => {
                    return Err(error(open, "empty list: give at least one value"));
                }
                Tok::RBracket => {
                    self.bump();
                    return Ok((items, open));
                }
                Tok::Eof => return Err(error(open, "unclosed list: add `]`")),
                _ => items.push(self.list_item()?),
            }
            match self.peek() {
                Tok::Comma => {
                    self.bump();
                }
                Tok::RBracket => {}
                Tok::Eof => return Err(error(open, "unclosed list: add `]`")),
                _ => return Err(self.expected("`,` or `]` in the list")),
            }
        }
    }

    /// item := string | number [".." number], numbers possibly negative.
    fn list_item(&mut self) -> Result<Item> {
        let col = self.col();
        if let Tok::Str(text) = self.peek() {
            let text = text.as_str().into();
            self.bump();
            return Ok(Item::Text(TextItem { text, col }));
        }
        let lo = self.signed_number()?;
        if self.peek() != &Tok::DotDot {
            return Ok(Item::Num(NumItem {
                lo,
                hi: lo,
                range: false,
                col,
            }));
        }
        self.bump();
        let hi = self.signed_number()?;
        if lo > hi {
            return Err(error(
                col,
                format!(
                    "empty range {}..{}: write the smaller bound first",
                    format_number(lo),
                    format_number(hi)
                ),
            ));
        }
        Ok(Item::Num(NumItem {
            lo,
            hi,
            range: true,
            col,
        }))
    }

    fn signed_number(&mut self) -> Result<f64> {
        let negative = self.peek() == &Tok::Minus;
        if negative {
            self.bump();
        }
        match *self.peek() {
            Tok::Num(value) => {
                self.bump();
                Ok(if negative { -value } else { value })
            }
            _ => Err(self.expected("a number, a range such as 5..7 or a string in the list")),
        }
    }

    /// sum := product (("+" | "-") product)*
    fn sum(&mut self) -> Result<Node> {
        self.arith(Self::product, |tok| match tok {
            Tok::Plus => Some(ArithOp::Add),
            Tok::Minus => Some(ArithOp::Sub),
            _ => None,
        })
    }

    /// product := unary (("*" | "/" | "%") unary)*
    fn product(&mut self) -> Result<Node> {
        self.arith(Self::unary, |tok| match tok {
            Tok::Star => Some(ArithOp::Mul),
            Tok::Slash => Some(ArithOp::Div),
            Tok::Percent => Some(ArithOp::Rem),
            _ => None,
        })
    }

    fn arith(
        &mut self,
        operand: fn(&mut Self) -> Result<Node>,
        op_of: fn(&Tok) -> Option<ArithOp>,
    ) -> Result<Node> {
        let first = operand(self)?;
        let Some(op) = op_of(self.peek()) else {
            return Ok(first);
        };
        let node_col = self.col();
        let mut rest = Vec::new();
        let mut next = Some(op);
        while let Some(op) = next {
            let col = self.bump();
            rest.push(Operation {
                op,
                col,
                operand: operand(self)?,
            });
            next = op_of(self.peek());
        }
        Ok(Node {
            col: node_col,
            kind: Kind::Arith {
                first: Box::new(first),
                rest: rest.into_boxed_slice(),
            },
        })
    }

    /// unary := "-" unary | primary; a minus before a number literal folds into it.
    fn unary(&mut self) -> Result<Node> {
        if self.peek() != &Tok::Minus {
            return self.primary();
        }
        let col = self.bump();
        self.enter()?;
        let inner = self.unary();
        self.leave();
        let inner = inner?;
        let kind = match inner.kind {
            Kind::Num(value) => Kind::Num(-value),
            _ => Kind::Neg(Box::new(inner)),
        };
        Ok(Node { col, kind })
    }

    fn primary(&mut self) -> Result<Node> {
        let col = self.col();
        let kind = match self.peek().clone() {
            Tok::Num(value) => Kind::Num(value),
            Tok::Str(text) => Kind::Text(text.into()),
            Tok::Kw(Keyword::True) => Kind::Bool(true),
            Tok::Kw(Keyword::False) => Kind::Bool(false),
            Tok::Ident(name) if self.peek_at(1) == &Tok::LParen => return self.call(name),
            Tok::Ident(name) => Kind::Ref(name.into()),
            Tok::LParen => return self.parenthesised(),
            Tok::Kw(Keyword::If) => {
                return Err(self.error_here(
                    "`if … then … else …` must be put in parentheses here: (if … then … else …)",
                ));
            }
            Tok::Kw(Keyword::Not) => {
                return Err(self.error_here("`not` must be put in parentheses here: (not …)"));
            }
            Tok::LBracket => {
                return Err(self.error_here(
                    "a list […] is only allowed after `in` or as the second argument of has_any or has_all",
                ));
            }
            _ => return Err(self.expected("a value")),
        };
        self.bump();
        Ok(Node { col, kind })
    }

    fn parenthesised(&mut self) -> Result<Node> {
        let open = self.bump();
        let inner = self.expr()?;
        match self.peek() {
            Tok::RParen => {
                self.bump();
                Ok(inner)
            }
            Tok::Eof => Err(error(open, "unclosed parenthesis: add `)`")),
            tok => {
                let message =
                    format!("expected `)` to close the parenthesis of column {open}, found {tok}");
                Err(self.error_here(message))
            }
        }
    }

    /// A call `name(args)`; the current token is the name.
    fn call(&mut self, name: String) -> Result<Node> {
        let col = self.bump();
        let Some(callee) = Callee::named(&name) else {
            return Err(error(
                col,
                format!("unknown function `{name}` (functions: {FUNCTIONS})"),
            ));
        };
        let (args, open) = self.args(matches!(callee, Callee::HasList { .. }))?;
        let (min, max, what) = callee.arity();
        if args.len() < min || args.len() > max {
            return Err(error(
                col,
                format!(
                    "`{}` takes {what}, found {} argument(s)",
                    callee.name(),
                    args.len()
                ),
            ));
        }
        callee.build(args, col, open)
    }

    /// "(" [arg ("," arg)*] ")"; the current token is `(`. Returns the arguments and the
    /// column of `(`.
    fn args(&mut self, takes_list: bool) -> Result<(Vec<Arg>, u32)> {
        let open = self.bump();
        let mut args = Vec::new();
        if self.peek() == &Tok::RParen {
            self.bump();
            return Ok((args, open));
        }
        loop {
            if takes_list && self.peek() == &Tok::LBracket {
                let (items, col) = self.list()?;
                args.push(Arg::List(items, col));
            } else {
                args.push(Arg::Expr(self.expr()?));
            }
            match self.peek() {
                Tok::Comma => {
                    self.bump();
                }
                Tok::RParen => {
                    self.bump();
                    return Ok((args, open));
                }
                Tok::Eof => return Err(error(open, "unclosed parenthesis: add `)`")),
                _ => return Err(self.expected("`,` or `)` between the arguments")),
            }
        }
    }
}

/// What a call's name resolves to.
#[derive(Clone, Copy)]
enum Callee {
    Status(Status),
    Date,
    Has,
    HasList { all: bool },
    Func(Func),
}

impl Callee {
    /// The function spelled `name`, ignoring case.
    fn named(name: &str) -> Option<Callee> {
        Some(match name.to_ascii_lowercase().as_str() {
            "answered" => Callee::Status(Status::Answered),
            "dk" => Callee::Status(Status::DontKnow),
            "refused" => Callee::Status(Status::Refused),
            "date" => Callee::Date,
            "has" => Callee::Has,
            "has_any" => Callee::HasList { all: false },
            "has_all" => Callee::HasList { all: true },
            "count" => Callee::Func(Func::Count),
            "countif" => Callee::Func(Func::CountIf),
            "len" => Callee::Func(Func::Len),
            "min" => Callee::Func(Func::Min),
            "max" => Callee::Func(Func::Max),
            "abs" => Callee::Func(Func::Abs),
            "round" => Callee::Func(Func::Round),
            "year" => Callee::Func(Func::Year),
            "month" => Callee::Func(Func::Month),
            "day" => Callee::Func(Func::Day),
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Callee::Status(Status::Answered) => "answered",
            Callee::Status(Status::DontKnow) => "dk",
            Callee::Status(Status::Refused) => "refused",
            Callee::Date => "date",
            Callee::Has => "has",
            Callee::HasList { all: false } => "has_any",
            Callee::HasList { all: true } => "has_all",
            Callee::Func(func) => func.name(),
        }
    }

    /// The least and most arguments, and how to say it.
    fn arity(self) -> (usize, usize, &'static str) {
        match self {
            Callee::Status(_) => (1, 1, "one variable name"),
            Callee::Date => (1, 1, "one string \"YYYY-MM-DD\""),
            Callee::Has => (2, 2, "two arguments, a multiple-choice variable and a code"),
            Callee::HasList { .. } => (
                2,
                2,
                "two arguments, a multiple-choice variable and a list of codes",
            ),
            Callee::Func(Func::CountIf) => (1, usize::MAX, "at least one condition"),
            Callee::Func(Func::Min | Func::Max) => (2, usize::MAX, "at least two numbers"),
            Callee::Func(Func::Round) => (1, 2, "a number and optionally a number of decimals"),
            Callee::Func(_) => (1, 1, "one argument"),
        }
    }

    /// Builds the node of a call with the right number of arguments, at `col` (the name's);
    /// `open` is the column of `(`.
    fn build(self, args: Vec<Arg>, col: u32, open: u32) -> Result<Node> {
        let name = self.name();
        let mut args = args.into_iter();
        let mut next_expr = |what: &str| match args.next() {
            Some(Arg::Expr(node)) => Ok(node),
            Some(Arg::List(_, col)) => Err(error(
                col,
                format!("`{name}` takes {what} here, not a list"),
            )),
            None => Err(error(open, format!("`{name}` takes {what}"))),
        };
        let kind = match self {
            // Located at the name, like a reference.
            Callee::Status(status) => {
                return match next_expr("a variable name") {
                    Ok(Node {
                        col,
                        kind: Kind::Ref(variable),
                    }) => Ok(Node {
                        col,
                        kind: Kind::Status(status, variable),
                    }),
                    _ => Err(error(
                        open + 1,
                        format!("`{name}` takes a variable name, e.g. {name}(AGE)"),
                    )),
                };
            }
            Callee::Date => match next_expr("a string")? {
                Node {
                    col,
                    kind: Kind::Text(text),
                } => Kind::Date(Date::parse(&text).ok_or_else(|| {
                    error(
                        col,
                        format!(
                            "invalid date {text:?}: expected an existing date written YYYY-MM-DD"
                        ),
                    )
                })?),
                Node { col, .. } => {
                    return Err(error(
                        col,
                        "`date` takes a string, e.g. date(\"2024-01-31\")",
                    ));
                }
            },
            Callee::Has => {
                let subject = next_expr("a multiple-choice variable")?;
                match next_expr("a code")? {
                    Node {
                        col,
                        kind: Kind::Num(value),
                    } => Kind::Has {
                        subject: Box::new(subject),
                        code: whole(value, col)?,
                        code_col: col,
                    },
                    Node { col, .. } => {
                        return Err(error(
                            col,
                            "the code in `has` must be a whole number, e.g. has(EQUIP, 1)",
                        ));
                    }
                }
            }
            Callee::HasList { all } => {
                let subject = next_expr("a multiple-choice variable")?;
                let items = match args.next() {
                    Some(Arg::List(items, _)) => items,
                    Some(Arg::Expr(Node { col, .. })) => {
                        return Err(error(
                            col,
                            format!("`{name}` takes a list of codes, e.g. {name}(EQUIP, [1, 2])"),
                        ));
                    }
                    None => return Err(error(open, format!("`{name}` takes a list of codes"))),
                };
                let codes = items
                    .into_iter()
                    .map(code_item)
                    .collect::<Result<Vec<_>>>()?;
                Kind::HasList {
                    all,
                    subject: Box::new(subject),
                    codes: codes.into_boxed_slice(),
                }
            }
            Callee::Func(func) => {
                let nodes = args
                    .map(|arg| match arg {
                        Arg::Expr(node) => Ok(node),
                        Arg::List(_, col) => Err(error(col, format!("`{name}` takes no list"))),
                    })
                    .collect::<Result<Vec<_>>>()?;
                Kind::Call(func, nodes.into_boxed_slice())
            }
        };
        Ok(Node { col, kind })
    }
}

fn cmp_op(tok: &Tok) -> Option<CmpOp> {
    Some(match tok {
        Tok::Eq => CmpOp::Eq,
        Tok::Ne => CmpOp::Ne,
        Tok::Lt => CmpOp::Lt,
        Tok::Le => CmpOp::Le,
        Tok::Gt => CmpOp::Gt,
        Tok::Ge => CmpOp::Ge,
        _ => return None,
    })
}

/// A code must be a whole number that fits an `i64`.
fn whole(value: f64, col: u32) -> Result<i64> {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        Ok(value as i64)
    } else {
        Err(error(
            col,
            format!(
                "a code must be a whole number, found {}",
                format_number(value)
            ),
        ))
    }
}

fn code_item(item: Item) -> Result<CodeItem> {
    match item {
        Item::Num(NumItem { lo, hi, range, col }) => Ok(CodeItem {
            lo: whole(lo, col)?,
            hi: whole(hi, col)?,
            range,
            col,
        }),
        Item::Text(TextItem { col, .. }) => Err(error(col, "codes are numbers, not texts")),
    }
}
