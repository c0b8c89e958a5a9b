//! The arguments of a call as the detector read them (see `detect::calls`): which are
//! positional and which keyword, and which values are plain string literals (with the
//! span of their content).
//!
//! Invariant: spans are byte ranges into the text the call was read from.

use std::ops::Range;

/// The value of an argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A plain string literal: the span of its content (without quotes).
    Str(Range<usize>),
    /// Anything else (a name, a number, an f-string, an expression): its span.
    Other(Range<usize>),
}

/// One argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arg {
    /// The keyword, for `keyword=value` (or `keyword: value` in an options object).
    pub keyword: Option<Range<usize>>,
    /// The value.
    pub value: Value,
}

/// The arguments of one call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Args {
    /// In order.
    pub items: Vec<Arg>,
    /// Whether the closing `)` was found.
    pub closed: bool,
}

impl Args {
    /// The value of keyword `k` (exact), if given.
    pub fn keyword<'a>(&'a self, text: &str, k: &str) -> Option<&'a Value> {
        self.items
            .iter()
            .find(|a| a.keyword.as_ref().and_then(|r| text.get(r.clone())) == Some(k))
            .map(|a| &a.value)
    }

    /// The `n`th positional argument (0-based).
    pub fn positional(&self, n: usize) -> Option<&Value> {
        self.items
            .iter()
            .filter(|a| a.keyword.is_none())
            .nth(n)
            .map(|a| &a.value)
    }
}
