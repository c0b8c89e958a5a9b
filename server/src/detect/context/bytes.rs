//! Byte helpers for the classifier: slices that never panic, line bounds,
//! identifiers read backwards, and ASCII case-insensitive searches over short texts.
//!
//! Invariants:
//! * Nothing here panics on an offset within the text; [`slice`] gives `""` for a
//!   range that is not on character boundaries.
//! * The searches compare ASCII bytes only: lowercasing ASCII keeps every byte offset,
//!   so an offset found in the lowercased text is an offset in the text.

/// `hay.contains(needle)` for the short texts here (keys, call names), without
/// building a substring searcher for each needle.
pub(super) fn has(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let Some((&first, rest)) = n.split_first() else {
        return true;
    };
    let Some(last_start) = h.len().checked_sub(n.len()) else {
        return false;
    };
    // A plain loop: the texts are a few bytes long, shorter than a vector search's setup.
    (0..=last_start).any(|i| h[i] == first && h[i + 1..].iter().zip(rest).all(|(a, b)| a == b))
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'$')
}

/// The most bytes a reader of the classifier (or of the resolver) walks over one run
/// of like bytes (blanks, quotes, an identifier, a key in brackets) before giving up:
/// a longer run (a data blob, a line of padding) stands for nothing. With it, every
/// reader's reach from a word is bounded by constants, so a re-scan window may be cut
/// inside a long line (`document.rs`), and no word costs work in proportion to its line.
pub const MAX_RUN: usize = 256;

/// Reads an identifier that ends just before `end` (skipping spaces and quotes).
/// `config["model"]` yields the text inside the brackets. Reads at most [`MAX_RUN`]
/// bytes of each run (and the byte before it): a longer run gives an empty name.
pub(super) fn ident_before(bytes: &[u8], mut end: usize) -> (usize, usize) {
    let blank = |b: u8| matches!(b, b' ' | b'\t' | b'"' | b'\'' | b'`');
    let floor = end.saturating_sub(MAX_RUN);
    while end > floor && blank(bytes[end - 1]) {
        end -= 1;
    }
    if end > 0 && blank(bytes[end - 1]) {
        return (end, end);
    }
    if end > 0 && bytes[end - 1] == b']' {
        let close = end - 1;
        let floor = close.saturating_sub(MAX_RUN);
        let mut i = close;
        while i > floor && !matches!(bytes[i - 1], b'[' | b'\n') {
            i -= 1;
        }
        if i > 0 && !matches!(bytes[i - 1], b'[' | b'\n') {
            return (close, close);
        }
        return (i, close);
    }
    let floor = end.saturating_sub(MAX_RUN);
    let mut start = end;
    while start > floor && is_ident(bytes[start - 1]) {
        start -= 1;
    }
    if start > 0 && is_ident(bytes[start - 1]) {
        return (end, end);
    }
    (start, end)
}

pub(super) fn slice(text: &str, a: usize, b: usize) -> &str {
    text.get(a..b).unwrap_or("")
}

/// The part of the line holding `pos` that the classifier reads: the line, cut to at
/// most `back` bytes before `pos` and `forward` bytes after it (on character
/// boundaries). A word on a line of a megabyte (a data blob, a minified bundle) costs
/// these windows, not the line: the classifier's time stays linear in the text.
pub(super) fn line_window(text: &str, pos: usize, back: usize, forward: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let pos = pos.min(bytes.len());
    let mut from = pos.saturating_sub(back);
    while from < pos && !text.is_char_boundary(from) {
        from += 1;
    }
    let mut to = pos.saturating_add(forward).min(bytes.len());
    while to > pos && !text.is_char_boundary(to) {
        to -= 1;
    }
    let start = memchr::memrchr(b'\n', &bytes[from..pos]).map_or(from, |i| from + i + 1);
    let end = memchr::memchr(b'\n', &bytes[pos..to]).map_or(to, |i| pos + i);
    (start, end)
}

/// Four bytes with ASCII letters lowercased, as one word (setting bit 5 of every byte
/// lowercases letters; the compare against a lowercase word of letters is exact,
/// since no byte outside `A-Za-z` becomes a lowercase letter that way).
pub(super) fn lower_word(b: &[u8]) -> Option<[u8; 4]> {
    let w: [u8; 4] = b.try_into().ok()?;
    Some((u32::from_le_bytes(w) | 0x2020_2020).to_le_bytes())
}

/// The first offset of `needle` (lowercase ASCII) in `hay`, ignoring ASCII case.
pub(super) fn find_ignore_case(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        let p = memchr::memchr2(
            first,
            first.to_ascii_uppercase(),
            &hay[i..=hay.len() - needle.len()],
        )?;
        let at = i + p;
        if hay[at + 1..at + needle.len()].eq_ignore_ascii_case(rest) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// The last offset of `needle` in `hay` with `hay` lowercased (ASCII), as
/// `hay.to_ascii_lowercase().rfind(needle)` without the copy or a searcher: the texts
/// here are a line's start and the needles a few bytes.
pub(super) fn rfind_lowercased(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let Some((&first, rest)) = needle.split_first() else {
        return Some(hay.len());
    };
    if first.is_ascii_uppercase() {
        return None;
    }
    let same = |h: &[u8]| {
        h.len() >= rest.len()
            && h.iter()
                .zip(rest)
                .all(|(a, b)| a.to_ascii_lowercase() == *b)
    };
    let mut end = hay.len().checked_sub(rest.len())?;
    // Mostly a handful of places to try (the caller passes the tail of a line): a
    // plain loop, cheaper there than setting up a vector search.
    if end <= 32 {
        return (0..end)
            .rev()
            .find(|&at| hay[at].to_ascii_lowercase() == first && same(&hay[at + 1..]));
    }
    loop {
        let at = if first.is_ascii_lowercase() {
            memchr::memrchr2(first, first.to_ascii_uppercase(), &hay[..end])?
        } else {
            memchr::memrchr(first, &hay[..end])?
        };
        if same(&hay[at + 1..]) {
            return Some(at);
        }
        end = at;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What [`ident_before`] reads before the end of each text: a run longer than
    /// [`MAX_RUN`] (of blanks, of name bytes, of a bracketed key) gives no name, and
    /// what lies before such a run is never read.
    #[test]
    fn ident_before_reads_bounded_runs() {
        let long = "x".repeat(MAX_RUN + 1);
        let blanks = " ".repeat(MAX_RUN + 1);
        let cases: Vec<(String, &str)> = vec![
            ("from_pretrained".into(), "from_pretrained"),
            ("model = \"".into(), ""),
            ("a.b_c-d ".into(), "a.b_c-d"),
            ("config[\"model\"]".into(), "\"model\""),
            (format!(" {}", &long[..MAX_RUN]), &long[..MAX_RUN]),
            (format!("y{}", &long[..MAX_RUN]), ""),
            (format!("a {long}"), ""),
            (format!("name{blanks}"), ""),
            (format!("[{long}]"), ""),
            ("(key)".into(), ""),
        ];
        for (text, want) in cases {
            let (a, b) = ident_before(text.as_bytes(), text.len());
            assert_eq!(slice(&text, a, b), want, "{text:?}");
        }
    }
}
