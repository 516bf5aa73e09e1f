//! What the caller says about a file's columns when its headers are not the usual ones.

/// Which column plays a role, when the caller overrides the recognition by header name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Pick {
    /// Recognised by its header (French and English names, see [`crate::Columns`]).
    #[default]
    Auto,
    /// The column with this header (compared exactly, then case-, accent- and
    /// space-insensitively).
    Column(String),
    /// The file has no such column, even if a header looks like one.
    Absent,
}

/// The caller's choices about columns; the default recognises every role by header name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapping {
    /// The phone number's column (it cannot be absent).
    pub phone: Option<String>,
    /// The second phone number's column.
    pub second_phone: Pick,
    /// The commune's column (INSEE code or name).
    pub commune: Pick,
    /// The identifier's column; without one a row's identifier is `L` and its line (`L12`).
    pub external_id: Pick,
    /// Preload fields flagged personal (never exported), by header name.
    pub personal: Vec<String>,
}
