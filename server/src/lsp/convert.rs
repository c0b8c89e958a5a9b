//! The one place where protocol positions meet byte offsets. Positions are counted in
//! the encoding negotiated at `initialize` ([`Encoding`]); the arithmetic itself lives
//! in [`crate::text::LineIndex`], which is property-tested.

use tower_lsp_server::ls_types::{Position, PositionEncodingKind, Range};

use crate::text::{ColumnMemo, Encoding, LineIndex};

/// The protocol name of an encoding.
pub fn encoding_kind(enc: Encoding) -> PositionEncodingKind {
    match enc {
        Encoding::Utf8 => PositionEncodingKind::UTF8,
        Encoding::Utf16 => PositionEncodingKind::UTF16,
        Encoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

/// Chooses the encoding from what the client offers: UTF-16 when offered (fineprint
/// runs beside the file's main language server and must agree with it), else UTF-8,
/// else UTF-32; UTF-16 when the client says nothing (the protocol's default).
pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
    let Some(list) = offered.filter(|l| !l.is_empty()) else {
        return Encoding::Utf16;
    };
    if list.contains(&PositionEncodingKind::UTF16) {
        Encoding::Utf16
    } else if list.contains(&PositionEncodingKind::UTF8) {
        Encoding::Utf8
    } else if list.contains(&PositionEncodingKind::UTF32) {
        Encoding::Utf32
    } else {
        Encoding::Utf16
    }
}

/// Byte offset of a position (clamped to the text).
pub fn offset(text: &str, index: &LineIndex, pos: Position, enc: Encoding) -> usize {
    index.offset(text, pos.line as usize, pos.character as usize, enc)
}

/// Position of a byte offset.
pub fn position(text: &str, index: &LineIndex, offset: usize, enc: Encoding) -> Position {
    to_position(index.position(text, offset, enc))
}

/// A protocol position of a 0-based (line, column).
fn to_position((line, col): (usize, usize)) -> Position {
    Position::new(
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(col).unwrap_or(u32::MAX),
    )
}

/// Range of a byte span.
pub fn range(text: &str, index: &LineIndex, span: &std::ops::Range<usize>, enc: Encoding) -> Range {
    range_after(text, index, span, enc, &mut ColumnMemo::default())
}

/// [`range`] for spans given in text order (a document's references): `memo` carries
/// the column counted for the previous span, so references along one line cost the
/// characters between them, not the line each.
pub fn range_after(
    text: &str,
    index: &LineIndex,
    span: &std::ops::Range<usize>,
    enc: Encoding,
    memo: &mut ColumnMemo,
) -> Range {
    let start = to_position(index.position_after(text, span.start, enc, memo));
    Range::new(
        start,
        to_position(index.position_after(text, span.end, enc, memo)),
    )
}

/// Byte span of a range in a document's current text (its rope, which holds edits
/// not analysed yet), clamped, start never after end.
pub fn span_in(doc: &crate::document::Document, r: Range, enc: Encoding) -> std::ops::Range<usize> {
    let at = |p: Position| {
        crate::text::rope_offset(doc.rope(), p.line as usize, p.character as usize, enc)
    };
    let (a, b) = (at(r.start), at(r.end));
    a.min(b)..b.max(a)
}

/// Byte span of a range (clamped, start never after end).
pub fn span(text: &str, index: &LineIndex, r: Range, enc: Encoding) -> std::ops::Range<usize> {
    let a = offset(text, index, r.start, enc);
    let b = offset(text, index, r.end, enc);
    a.min(b)..b.max(a)
}
