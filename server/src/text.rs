//! Line index: converts byte offsets of a text to lines and columns.
//!
//! Invariants:
//! * A line ends at `\r\n` (one line end), at a `\n`, or at a `\r` not followed by
//!   `\n` (a lone `\r`), as in the LSP specification. A line starts at 0 and after
//!   each line end. An offset between the `\r` and the `\n` of a pair is on the line
//!   the pair ends (its column counts the `\r`).
//! * Columns are counted in the unit asked for, from the start of the line. Offsets
//!   past the end clamp to the end; offsets inside a UTF-8 character clamp back to its
//!   start. Nothing here panics.
//! * [`LineIndex::edit`] leaves the index a fresh [`LineIndex::new`] of the new text
//!   would have, also when the edit splits or joins a `\r\n` pair; [`LineCursor`]
//!   answers as [`LineIndex`] does. Property tests check both against a plain
//!   definition.

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
        starts.extend(line_starts_in(text.as_bytes(), 1..text.len() + 1));
        Self {
            starts,
            len: text.len(),
        }
    }

    /// Number of lines (a final line without a line end counts; an empty text has one).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 0-based line and column of `offset`.
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> (usize, usize) {
        self.position_after(text, offset, enc, &mut ColumnMemo::default())
    }

    /// [`Self::position`] for offsets asked in text order: `memo` carries the column
    /// counted for the previous one, so offsets along one line cost the characters
    /// between them.
    pub fn position_after(
        &self,
        text: &str,
        offset: usize,
        enc: Encoding,
        memo: &mut ColumnMemo,
    ) -> (usize, usize) {
        let offset = clamp(text, offset.min(self.len));
        let line = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let col = memo.column(text, line, offset, enc, || {
            self.starts.get(line).copied().unwrap_or(0)
        });
        (line, col)
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

    /// Updates the index after the bytes `old` of the previous text were replaced by
    /// `new_len` bytes, giving `text` (the text given to the other methods from now
    /// on). Costs O(lines after the edit) moves and a scan of the inserted bytes, not
    /// a scan of the text.
    pub fn edit(&mut self, text: &str, old: std::ops::Range<usize>, new_len: usize) {
        let old = old.start.min(self.len)..old.end.clamp(old.start.min(self.len), self.len);
        let new_end = (old.start + new_len).min(text.len());
        // Whether `p` starts a line depends on the bytes at `p - 1` and `p`. The bytes
        // changed are `old.start..new_end` of the new text, so the starts in
        // `old.start..=new_end` are found again (0 always starts a line); starts outside
        // read only unchanged bytes, and those after the edit move by the difference.
        let first = old.start.max(1);
        let lo = self.starts.partition_point(|&s| s < first);
        let hi = self.starts.partition_point(|&s| s <= old.end);
        let tail: Vec<usize> = self.starts[hi..]
            .iter()
            .map(|&s| s - old.end + new_end)
            .collect();
        self.starts.truncate(lo);
        if first <= new_end {
            self.starts
                .extend(line_starts_in(text.as_bytes(), first..new_end + 1));
        }
        self.starts.extend(tail);
        self.len = text.len();
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
        let Some(&next) = self.starts.get(line + 1) else {
            return start..self.len.max(start);
        };
        // `next - 1` is the line end's last byte: `\n` (of a pair or alone) or `\r`.
        let b = text.as_bytes();
        let mut end = next - 1;
        if end > start && b.get(end) == Some(&b'\n') && b.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        start..end.max(start)
    }
}

/// [`LineIndex::offset`] on a rope ([`crate::document::Document::rope`], whose lines end
/// where the index's do): the byte offset of a 0-based line and column, clamped the
/// same way. O(log n) to find the line, then the characters up to the column.
pub fn rope_offset(text: &ropey::Rope, line: usize, col: usize, enc: Encoding) -> usize {
    if line >= text.len_lines() {
        return text.len_bytes();
    }
    let mut at = text.line_to_byte(line);
    let mut units = 0;
    // Every `\r` and `\n` ends a line: the first one is this line's end.
    for ch in text.line(line).chars() {
        if ch == '\n' || ch == '\r' {
            break;
        }
        let w = match enc {
            Encoding::Utf8 => ch.len_utf8(),
            Encoding::Utf16 => ch.len_utf16(),
            Encoding::Utf32 => 1,
        };
        if units + w > col {
            break;
        }
        units += w;
        at += ch.len_utf8();
    }
    at
}

/// Whether a line starts at `p` (0 < `p` <= the length): after a `\n`, or after a
/// `\r` that no `\n` follows.
fn starts_line(b: &[u8], p: usize) -> bool {
    match b.get(p.wrapping_sub(1)) {
        Some(b'\n') => true,
        Some(b'\r') => b.get(p) != Some(&b'\n'),
        _ => false,
    }
}

/// The line starts of `b` in `range` (of positions `p`, each read with `b[p - 1]`
/// and `b[p]`), in order. `range.start` must be at least 1.
fn line_starts_in(b: &[u8], range: std::ops::Range<usize>) -> impl Iterator<Item = usize> + '_ {
    let from = range.start.saturating_sub(1).min(b.len());
    let to = range.end.saturating_sub(1).clamp(from, b.len());
    memchr::memchr2_iter(b'\n', b'\r', &b[from..to])
        .map(move |i| from + i + 1)
        .filter(move |&p| starts_line(b, p))
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
    /// Line ends in `text[..at]` (a `\r` at `at - 1` counted by what follows it).
    line: usize,
    /// Columns of the positions asked along one line.
    columns: ColumnMemo,
}

/// The last column counted, so that positions asked in text order along one line count
/// the characters between them, not the line again: many references on a megabyte line
/// stay linear. Used by [`LineCursor::position`] and [`LineIndex::position_after`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ColumnMemo {
    /// (offset, line, encoding, column) of the last position.
    last: Option<(usize, usize, Encoding, usize)>,
}

impl ColumnMemo {
    /// The column of `offset` on `line`, whose start `line_start` gives (called only
    /// when the last position is not on this line before `offset`).
    fn column(
        &mut self,
        text: &str,
        line: usize,
        offset: usize,
        enc: Encoding,
        line_start: impl FnOnce() -> usize,
    ) -> usize {
        let (from, before) = match self.last {
            Some((at, l, e, col)) if l == line && e == enc && at <= offset => (at, col),
            _ => (line_start(), 0),
        };
        let col = before + columns(text.get(from..offset).unwrap_or(""), enc);
        self.last = Some((offset, line, enc, col));
        col
    }
}

impl<'a> LineCursor<'a> {
    /// A cursor at the start of `text`.
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            at: 0,
            line: 0,
            columns: ColumnMemo::default(),
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
        self.line += count_line_ends(&bytes[self.at..offset], bytes.get(offset).copied());
        self.at = offset;
        self.line
    }

    /// Byte range of the line holding `offset`, without its line ending.
    pub fn line_range_at(&self, offset: usize) -> std::ops::Range<usize> {
        let offset = clamp(self.text, offset);
        let start = line_start_before(self.text.as_bytes(), offset);
        start..line_end_after(self.text.as_bytes(), offset)
    }

    /// 0-based line and column of `offset`.
    pub fn position(&mut self, offset: usize, enc: Encoding) -> (usize, usize) {
        let offset = clamp(self.text, offset);
        let line = self.line_of(offset);
        let text = self.text;
        let col = self.columns.column(text, line, offset, enc, || {
            line_start_before(text.as_bytes(), offset)
        });
        (line, col)
    }
}

/// Start of the line holding `offset`: after the last line end before it (a `\r`
/// just before `offset` with a `\n` at `offset` does not end a line there).
fn line_start_before(b: &[u8], offset: usize) -> usize {
    let mut to = offset;
    while let Some(i) = memchr::memrchr2(b'\n', b'\r', &b[..to]) {
        if starts_line(b, i + 1) {
            return i + 1;
        }
        to = i;
    }
    0
}

/// End of the line holding `offset` (where its line end begins, or the text's end).
fn line_end_after(b: &[u8], offset: usize) -> usize {
    let Some(i) = memchr::memchr2(b'\n', b'\r', &b[offset..]).map(|i| offset + i) else {
        return b.len();
    };
    // A `\n` right at `offset` may close a `\r` just before it.
    if i > 0 && b[i] == b'\n' && b[i - 1] == b'\r' {
        i - 1
    } else {
        i
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

/// Line ends in `b`, the byte after it being `after`: each `\n`, and each `\r` whose
/// next byte is not `\n`. Counted in blocks of 255 bytes (each byte beside its next)
/// into a byte-wide sum, which the compiler turns into vector compares (a plain
/// `filter().count()` ran a byte at a time, and was 6% of a check of JSON files).
fn count_line_ends(b: &[u8], after: Option<u8>) -> usize {
    let Some((&last, _)) = b.split_last() else {
        return 0;
    };
    let ends =
        |c: u8, next: u8| u8::from(c == b'\n') | (u8::from(c == b'\r') & u8::from(next != b'\n'));
    let (cur, next) = (&b[..b.len() - 1], &b[1..]);
    let mut n = 0usize;
    for (c, x) in cur.chunks(255).zip(next.chunks(255)) {
        let s: u8 = c.iter().zip(x).map(|(&c, &x)| ends(c, x)).sum();
        n += usize::from(s);
    }
    n + usize::from(ends(last, after.unwrap_or(0)))
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
            // A lone `\r` ends a line; `\r\n` is one line end; between its `\r` and
            // `\n` is still the line the pair ends.
            ("a\rbc", 3, (1, 1), (1, 1), (1, 1)),
            ("a = 1\rmodel = \"m\"\r", 14, (1, 8), (1, 8), (1, 8)),
            ("a\r\rb", 3, (2, 0), (2, 0), (2, 0)),
            ("a\r\n\rb", 4, (2, 0), (2, 0), (2, 0)),
            ("a\r\nb", 2, (0, 2), (0, 2), (0, 2)),
            ("ab\r", 3, (1, 0), (1, 0), (1, 0)),
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
            ("a\rb", 0, 9, Encoding::Utf16, 1),
            ("a\rb", 1, 1, Encoding::Utf16, 3),
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

    /// The plain definition: line starts are 0 and the offset after each `\r\n`, each
    /// `\n` and each `\r` not followed by `\n`.
    fn reference_starts(text: impl AsRef<[u8]>) -> Vec<usize> {
        let b = text.as_ref();
        let mut starts = vec![0];
        let mut i = 0;
        while i < b.len() {
            match (b[i], b.get(i + 1)) {
                (b'\r', Some(b'\n')) => {
                    starts.push(i + 2);
                    i += 2;
                    continue;
                }
                (b'\r' | b'\n', _) => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        starts
    }

    /// The plain definition of a position: the last line start at or before the
    /// offset (clamped), and the characters from it.
    fn reference_position(text: &str, offset: usize, enc: Encoding) -> (usize, usize) {
        let offset = clamp(text, offset);
        let starts = reference_starts(text);
        let line = starts.iter().rposition(|&s| s <= offset).unwrap_or(0);
        (line, columns(&text[starts[line]..offset], enc))
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
            // A pair split: text inserted between `\r` and `\n`, or its `\n` deleted.
            ("a\r\nb", 2..2, "x"),
            ("a\r\nb", 2..3, ""),
            // A pair made: `\n` inserted after a lone `\r`, or what was between removed.
            ("a\rb", 2..2, "\n"),
            ("a\rx\nb", 2..3, ""),
            ("a\rb", 1..1, "\r"),
            ("\r", 0..0, "\n"),
            ("\n", 0..0, "\r"),
        ];
        for (before, range, ins) in cases {
            let mut ix = LineIndex::new(before);
            let mut after = before.to_string();
            after.replace_range(range.clone(), ins);
            ix.edit(&after, range.clone(), ins.len());
            assert_eq!(
                ix.starts,
                reference_starts(&after),
                "{before:?} {range:?} {ins:?}"
            );
            assert_eq!(ix.len, after.len());
        }
    }

    #[test]
    fn line_ranges() {
        // (text, its lines without line ends)
        let cases: &[(&str, &[&str])] = &[
            ("a\r\nbc\n\nd", &["a", "bc", "", "d"]),
            ("a\rbc\r\rd\r", &["a", "bc", "", "d", ""]),
            ("a\n\r\nb\r\n\r", &["a", "", "b", "", ""]),
        ];
        for (t, want) in cases {
            let ix = LineIndex::new(t);
            let lines: Vec<&str> = (0..ix.line_count())
                .map(|l| &t[ix.line_range(t, l)])
                .collect();
            assert_eq!(&lines, want, "{t:?}");
        }
    }

    proptest::proptest! {
        /// Line ends counted on both sides of the 255-byte blocks, with `\r\n` pairs
        /// across a block's edge and at the end of the slice.
        #[test]
        fn line_ends_are_counted_in_blocks(
            text in proptest::collection::vec(proptest::sample::select(vec![b'\n', b'a', b'\r', 0xff]), 0..2000),
            after in proptest::option::of(proptest::sample::select(vec![b'\n', b'\r', b'a'])),
        ) {
            let mut whole = text.clone();
            whole.extend(after);
            // The line starts in 1..=len of the slice follow its line ends.
            let want = reference_starts(&whole).iter().filter(|&&s| s >= 1 && s <= text.len()).count();
            proptest::prop_assert_eq!(count_line_ends(&text, after), want);
        }
    }

    proptest::proptest! {
        /// The index built at once, and kept through random edits (splitting and
        /// joining `\r\n` pairs), equals the plain definition.
        #[test]
        fn index_matches_the_definition(
            parts in proptest::collection::vec(
                proptest::sample::select(vec!["a", "\n", "\r\n", "\r", "é", " "]),
                0..30,
            ),
            edits in proptest::collection::vec(
                (0usize..60, 0usize..8, proptest::sample::select(vec!["", "x", "\n", "\r", "\r\n", "y\rz", "\n\r"])),
                0..8,
            ),
        ) {
            let mut text: String = parts.concat();
            let mut ix = LineIndex::new(&text);
            proptest::prop_assert_eq!(&ix.starts, &reference_starts(&text));
            for (at, len, ins) in edits {
                let start = clamp(&text, at);
                let end = clamp(&text, start + len).max(start);
                text.replace_range(start..end, ins);
                ix.edit(&text, start..end, ins.len());
                proptest::prop_assert_eq!(&ix.starts, &reference_starts(&text), "{:?}", text);
                proptest::prop_assert_eq!(ix.line_count(), reference_starts(&text).len());
            }
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
                    proptest::prop_assert_eq!(want, reference_position(&text, off, enc), "{:?} at {}", text, off);
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
