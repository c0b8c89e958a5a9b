//! Line index: converts byte offsets of a text to lines and columns.
//!
//! Invariants: line starts are the offsets after each `\n` (a `\r\n` pair ends a line
//! at its `\n`; the `\r` belongs to the line). Columns are counted in the unit asked
//! for, from the start of the line. Offsets past the end clamp to the end; offsets
//! inside a UTF-8 character clamp back to its start. Nothing here panics.

/// How columns are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes.
    Utf8,
    /// UTF-16 code units.
    Utf16,
    /// Unicode scalar values.
    Utf32,
}

/// Line starts of a text.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr_newlines(text.as_bytes()).map(|i| i + 1));
        Self {
            starts,
            len: text.len(),
        }
    }

    /// Number of lines (a final line without `\n` counts; an empty text has one).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 0-based line and column of `offset`.
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> (usize, usize) {
        let offset = clamp(text, offset.min(self.len));
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let seg = text.get(start..offset).unwrap_or("");
        (line, columns(seg, enc))
    }

    /// Byte offset of a 0-based line and column. A line past the end gives the end of
    /// the text; a column past the end of its line gives the end of the line (before
    /// its line ending); a column inside a character gives the character's start.
    pub fn offset(&self, text: &str, line: usize, col: usize, enc: Encoding) -> usize {
        let Some(&start) = self.starts.get(line) else {
            return text.len();
        };
        let range = self.line_range(text, line);
        let seg = text.get(range.clone()).unwrap_or("");
        let mut units = 0;
        for (i, ch) in seg.char_indices() {
            let w = match enc {
                Encoding::Utf8 => ch.len_utf8(),
                Encoding::Utf16 => ch.len_utf16(),
                Encoding::Utf32 => 1,
            };
            if units + w > col {
                return start + i;
            }
            units += w;
        }
        range.end
    }

    /// Updates the index after `text[old]` was replaced by `new_text` (the text given
    /// to the other methods must be the new one). Costs O(lines after the edit) moves,
    /// not a scan of the text.
    pub fn edit(&mut self, old: std::ops::Range<usize>, new_text: &str) {
        let delta = new_text.len() as isize - (old.end - old.start) as isize;
        // Line starts strictly inside (old.start, old.end] disappear.
        let lo = self.starts.partition_point(|&s| s <= old.start);
        let hi = self.starts.partition_point(|&s| s <= old.end);
        let inserted = memchr_newlines(new_text.as_bytes()).map(|i| old.start + i + 1);
        let tail: Vec<usize> = self.starts[hi..]
            .iter()
            .map(|&s| (s as isize + delta) as usize)
            .collect();
        self.starts.truncate(lo);
        self.starts.extend(inserted);
        self.starts.extend(tail);
        self.len = (self.len as isize + delta) as usize;
    }

    /// The 0-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// Byte offset where a 0-based line starts (the text's length past the end).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.len)
    }

    /// Byte range of a 0-based line, without its line ending.
    pub fn line_range(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let start = self.starts.get(line).copied().unwrap_or(self.len);
        let mut end = self.starts.get(line + 1).map_or(self.len, |&s| s - 1);
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        start..end.max(start)
    }
}

fn memchr_newlines(b: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr_iter(b'\n', b)
}

/// Lines of a text found on demand, for a few offsets visited mostly in increasing
/// order (the references of one file): the cost is one pass of newline counting over
/// the text up to the last offset asked, and no index of every line.
///
/// Invariants: the same answers as [`LineIndex`] for every offset, whatever the order
/// of the queries (an offset before the previous one restarts the count from the
/// start of the text).
#[derive(Debug)]
pub struct LineCursor<'a> {
    text: &'a str,
    /// Offset counted up to.
    at: usize,
    /// Newlines in `text[..at]`.
    line: usize,
}

impl<'a> LineCursor<'a> {
    /// A cursor at the start of `text`.
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            at: 0,
            line: 0,
        }
    }

    /// 0-based line of `offset` (clamped as [`LineIndex::position`] does).
    pub fn line_of(&mut self, offset: usize) -> usize {
        let offset = clamp(self.text, offset);
        if offset < self.at {
            self.at = 0;
            self.line = 0;
        }
        let bytes = self.text.as_bytes();
        self.line += count_newlines(&bytes[self.at..offset]);
        self.at = offset;
        self.line
    }

    /// Byte range of the line holding `offset`, without its line ending.
    pub fn line_range_at(&self, offset: usize) -> std::ops::Range<usize> {
        let offset = clamp(self.text, offset);
        let bytes = self.text.as_bytes();
        let start = memchr::memrchr(b'\n', &bytes[..offset]).map_or(0, |i| i + 1);
        let mut end = memchr::memchr(b'\n', &bytes[offset..]).map_or(bytes.len(), |i| offset + i);
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }

    /// 0-based line and column of `offset`.
    pub fn position(&mut self, offset: usize, enc: Encoding) -> (usize, usize) {
        let offset = clamp(self.text, offset);
        let line = self.line_of(offset);
        let start = memchr::memrchr(b'\n', &self.text.as_bytes()[..offset]).map_or(0, |i| i + 1);
        let seg = self.text.get(start..offset).unwrap_or("");
        (line, columns(seg, enc))
    }
}

/// `offset` clamped to the end of `text`, then back to the start of the character
/// it falls in.
fn clamp(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn columns(seg: &str, enc: Encoding) -> usize {
    match enc {
        Encoding::Utf8 => seg.len(),
        Encoding::Utf16 => seg.chars().map(char::len_utf16).sum(),
        Encoding::Utf32 => seg.chars().count(),
    }
}

/// Newlines in `b`. Counted in blocks of 255 bytes into a byte-wide sum, which the
/// compiler turns into vector compares (a plain `filter().count()` ran a byte at a
/// time, and was 6% of a check of JSON files).
fn count_newlines(b: &[u8]) -> usize {
    let mut blocks = b.chunks_exact(255);
    let mut n = 0usize;
    for block in &mut blocks {
        let s: u8 = block.iter().map(|&c| u8::from(c == b'\n')).sum();
        n += usize::from(s);
    }
    n + blocks.remainder().iter().filter(|&&c| c == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    type Pos = (usize, usize);

    #[test]
    fn table() {
        // (text, offset, utf8, utf16, utf32) as (line, col)
        let cases: &[(&str, usize, Pos, Pos, Pos)] = &[
            ("abc", 2, (0, 2), (0, 2), (0, 2)),
            ("a\nbc", 3, (1, 1), (1, 1), (1, 1)),
            ("a\r\nbc", 4, (1, 1), (1, 1), (1, 1)),
            ("😀x", 4, (0, 4), (0, 2), (0, 1)),
            ("日本x", 6, (0, 6), (0, 2), (0, 2)),
            ("é", 1, (0, 0), (0, 0), (0, 0)),
            ("ab", 99, (0, 2), (0, 2), (0, 2)),
            ("ab\n", 3, (1, 0), (1, 0), (1, 0)),
        ];
        for (text, off, u8, u16, u32) in cases {
            let ix = LineIndex::new(text);
            assert_eq!(
                ix.position(text, *off, Encoding::Utf8),
                *u8,
                "{text:?} utf8"
            );
            assert_eq!(
                ix.position(text, *off, Encoding::Utf16),
                *u16,
                "{text:?} utf16"
            );
            assert_eq!(
                ix.position(text, *off, Encoding::Utf32),
                *u32,
                "{text:?} utf32"
            );
        }
    }

    #[test]
    fn offsets_round_trip_and_clamp() {
        // (text, line, col, encoding, expected offset)
        let cases: &[(&str, usize, usize, Encoding, usize)] = &[
            ("😀x", 0, 2, Encoding::Utf16, 4),
            ("😀x", 0, 1, Encoding::Utf16, 0),
            ("😀x", 0, 1, Encoding::Utf32, 4),
            ("a\r\nb", 0, 9, Encoding::Utf16, 1),
            ("a\nb", 5, 0, Encoding::Utf16, 3),
            ("日本", 0, 3, Encoding::Utf8, 3),
            ("日本", 0, 4, Encoding::Utf8, 3),
        ];
        for (text, line, col, enc, want) in cases {
            assert_eq!(
                LineIndex::new(text).offset(text, *line, *col, *enc),
                *want,
                "{text:?} {line}:{col} {enc:?}"
            );
        }
    }

    #[test]
    fn edits_keep_the_index_exact() {
        // (before, edit range, inserted text)
        let cases: &[(&str, std::ops::Range<usize>, &str)] = &[
            ("a\nb\nc", 1..3, ""),
            ("a\nb\nc", 0..0, "x\ny\n"),
            ("abc", 3..3, "\n"),
            ("a\r\nb", 1..2, ""),
            ("", 0..0, "\n\n"),
            ("a\nb", 0..3, "z"),
        ];
        for (before, range, ins) in cases {
            let mut ix = LineIndex::new(before);
            let mut after = before.to_string();
            after.replace_range(range.clone(), ins);
            ix.edit(range.clone(), ins);
            let fresh = LineIndex::new(&after);
            assert_eq!(ix.starts, fresh.starts, "{before:?} {range:?} {ins:?}");
            assert_eq!(ix.len, fresh.len);
        }
    }

    #[test]
    fn line_ranges() {
        let t = "a\r\nbc\n\nd";
        let ix = LineIndex::new(t);
        let lines: Vec<&str> = (0..ix.line_count())
            .map(|l| &t[ix.line_range(t, l)])
            .collect();
        assert_eq!(lines, vec!["a", "bc", "", "d"]);
    }

    proptest::proptest! {
        /// Newline counts on both sides of the 255-byte blocks.
        #[test]
        fn newlines_are_counted_in_blocks(
            text in proptest::collection::vec(proptest::sample::select(vec![b'\n', b'a', b'\r', 0xff]), 0..2000),
        ) {
            let want = text.iter().filter(|&&c| c == b'\n').count();
            proptest::prop_assert_eq!(count_newlines(&text), want);
        }
    }

    proptest::proptest! {
        /// The cursor answers as the index does, for offsets in any order (inside
        /// characters, past the end), over text with emoji, CJK, CRLF and no final
        /// newline.
        #[test]
        fn cursor_agrees_with_the_index(
            parts in proptest::collection::vec(
                proptest::sample::select(vec!["a", "bc", "\n", "\r\n", "\r", "😀", "日本", "é", " "]),
                0..40,
            ),
            offsets in proptest::collection::vec(0usize..200, 1..12),
        ) {
            let text: String = parts.concat();
            let ix = LineIndex::new(&text);
            let mut cursor = LineCursor::new(&text);
            for off in offsets {
                for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                    let want = ix.position(&text, off, enc);
                    proptest::prop_assert_eq!(cursor.position(off, enc), want, "{:?} at {}", text, off);
                    proptest::prop_assert_eq!(
                        cursor.line_range_at(off),
                        ix.line_range(&text, want.0),
                        "{:?} at {}", text, off
                    );
                }
            }
        }
    }
}
