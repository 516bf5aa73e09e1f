//! The syntax tree, built once by the parser and walked by the checker, the evaluator and the
//! satisfiability analysis. Functions with special arguments (bare names, code lists) have their
//! own node kinds so that nothing is looked up or re-validated while evaluating.

use crate::date::Date;

/// A node and the 1-based column it is reported at: its first character for values, the
/// operator for operations, the function name for calls.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    pub col: u32,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Kind {
    Num(f64),
    Text(Box<str>),
    Bool(bool),
    Date(Date),
    Ref(Box<str>),
    Neg(Box<Node>),
    Not(Box<Node>),
    /// A left-associative chain `first op operand op operand…` of one precedence level, kept
    /// flat so that long sums do not make a deep tree.
    Arith {
        first: Box<Node>,
        rest: Box<[Operation]>,
    },
    Cmp(CmpOp, Box<[Node; 2]>),
    And(Box<[Node]>),
    Or(Box<[Node]>),
    In {
        subject: Box<Node>,
        list: List,
        negated: bool,
    },
    If(Box<[Node; 3]>),
    /// `answered(X)`, `dk(X)`, `refused(X)`: the column of the node is the name's.
    Status(Status, Box<str>),
    Has {
        subject: Box<Node>,
        code: i64,
        code_col: u32,
    },
    HasList {
        all: bool,
        subject: Box<Node>,
        codes: Box<[CodeItem]>,
    },
    Call(Func, Box<[Node]>),
}

/// One `op operand` step of an arithmetic chain.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Operation {
    pub op: ArithOp,
    pub col: u32,
    pub operand: Node,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl ArithOp {
    pub fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Rem => "%",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// The operator with its operands swapped: `a < b` is `b > a`.
    pub fn flipped(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            other => other,
        }
    }

    /// The operator that holds exactly when this one does not (between present numbers).
    pub fn negated(self) -> CmpOp {
        match self {
            CmpOp::Eq => CmpOp::Ne,
            CmpOp::Ne => CmpOp::Eq,
            CmpOp::Lt => CmpOp::Ge,
            CmpOp::Le => CmpOp::Gt,
            CmpOp::Gt => CmpOp::Le,
            CmpOp::Ge => CmpOp::Lt,
        }
    }

    /// Whether `left op right` holds when `left` compares to `right` as `ordering`.
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            CmpOp::Eq => ordering == Equal,
            CmpOp::Ne => ordering != Equal,
            CmpOp::Lt => ordering == Less,
            CmpOp::Le => ordering != Greater,
            CmpOp::Gt => ordering == Greater,
            CmpOp::Ge => ordering != Less,
        }
    }

    /// Whether the operator orders its operands (as opposed to testing equality).
    pub fn is_ordering(self) -> bool {
        !matches!(self, CmpOp::Eq | CmpOp::Ne)
    }
}

/// The literal list after `in`: numbers and ranges, or texts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum List {
    Numbers(Box<[NumItem]>),
    Texts(Box<[TextItem]>),
}

/// A number (`lo == hi`, `range == false`) or an inclusive range `lo..hi`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct NumItem {
    pub lo: f64,
    pub hi: f64,
    pub range: bool,
    pub col: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TextItem {
    pub text: Box<str>,
    pub col: u32,
}

/// A code or an inclusive range of codes in `has_any` / `has_all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CodeItem {
    pub lo: i64,
    pub hi: i64,
    pub range: bool,
    pub col: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Answered,
    DontKnow,
    Refused,
}

/// Functions whose arguments are ordinary expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Func {
    Count,
    CountIf,
    Len,
    Min,
    Max,
    Abs,
    Round,
    Year,
    Month,
    Day,
}

impl Func {
    pub fn name(self) -> &'static str {
        match self {
            Func::Count => "count",
            Func::CountIf => "countif",
            Func::Len => "len",
            Func::Min => "min",
            Func::Max => "max",
            Func::Abs => "abs",
            Func::Round => "round",
            Func::Year => "year",
            Func::Month => "month",
            Func::Day => "day",
        }
    }
}

impl Node {
    /// Calls `visit` on every name referenced, in source order.
    pub fn walk_names<'a>(&'a self, visit: &mut impl FnMut(&'a str, u32)) {
        match &self.kind {
            Kind::Num(_) | Kind::Text(_) | Kind::Bool(_) | Kind::Date(_) => {}
            Kind::Ref(name) | Kind::Status(_, name) => visit(name, self.col),
            Kind::Neg(inner) | Kind::Not(inner) => inner.walk_names(visit),
            Kind::Arith { first, rest } => {
                first.walk_names(visit);
                for step in rest.iter() {
                    step.operand.walk_names(visit);
                }
            }
            Kind::Cmp(_, operands) => operands.iter().for_each(|n| n.walk_names(visit)),
            Kind::If(parts) => parts.iter().for_each(|n| n.walk_names(visit)),
            Kind::And(items) | Kind::Or(items) | Kind::Call(_, items) => {
                items.iter().for_each(|n| n.walk_names(visit));
            }
            Kind::In { subject, .. }
            | Kind::Has { subject, .. }
            | Kind::HasList { subject, .. } => subject.walk_names(visit),
        }
    }

    /// Whether the node refers to no name at all, so that its value never changes.
    pub fn is_constant(&self) -> bool {
        let mut constant = true;
        self.walk_names(&mut |_, _| constant = false);
        constant
    }
}
