//! The word scanner: splits a range of text into words (maximal runs of
//! `A-Za-z0-9._-/:@~`). Every byte of every file checked passes through here.
//!
//! The text is read in blocks of 64 bytes: sixteen bytes at a time, a few vector
//! comparisons (`wide`, safe and portable: SSE2, NEON or plain code) give one bit per
//! byte for "belongs to a word", `/` or `:`, `:`, `-`, digit and backslash. A word's
//! start and end are then found with bit counts, and its separators by masking its
//! range: no branch per byte. (A byte-at-a-time table walk did about three cycles a
//! byte plus a mispredicted branch at each word's end; eight bytes at a time in
//! integer arithmetic was slower still.)
//!
//! Invariant: [`Words`] yields exactly the words of the plain definition (kept as the
//! oracle of the property test below): outside a word, a byte that is not a word byte
//! is skipped, and in JSON texts a backslash skips the byte after it too (`\n`, `\"`:
//! the escaped character is not part of a word). As no backslash is a word byte, every
//! backslash is met outside a word unless escaped itself, so the escaped bytes are
//! exactly those after a run of backslashes of odd length, counted from the scan's
//! start.

use wide::u8x16;

/// A word: its byte range, and which separators it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset after the last byte.
    pub end: usize,
    /// Holds a `/` or a `:`.
    pub sep: bool,
    /// Holds a `:`.
    pub colon: bool,
    /// Holds a `-` and a digit (may be a repository name without its org).
    pub dash_digit: bool,
    /// Holds a digit.
    pub digit: bool,
}

/// Bytes per block.
const BLOCK: usize = 64;

/// One bit per byte of a block (bit `k`: the byte at `base + k`).
#[derive(Debug, Clone, Copy, Default)]
struct Block {
    word: u64,
    sep: u64,
    colon: u64,
    dash: u64,
    digit: u64,
}

/// Which bytes of 16 are in `lo..=lo + width` (wrapping subtraction, then a
/// saturating one that leaves zero exactly for the bytes in range).
#[inline(always)]
fn in_range(v: u8x16, lo: u8, width: u8) -> u8x16 {
    (v - u8x16::splat(lo))
        .saturating_sub(u8x16::splat(width))
        .simd_eq(u8x16::splat(0))
}

/// The masks of 16 bytes: word, separator, colon, dash, digit, backslash.
#[inline(always)]
fn classify16(bytes: [u8; 16]) -> [u64; 6] {
    let v = u8x16::new(bytes);
    let eq = |c: u8| v.simd_eq(u8x16::splat(c));
    let colon = eq(b':');
    let dash = eq(b'-');
    let digit = in_range(v, b'0', 9);
    // `-./0-9:` and `@A-Z` and `a-z` are three runs of the byte table; `_` and `~`.
    let word = in_range(v, b'-', b':' - b'-')
        | in_range(v, b'@', b'Z' - b'@')
        | in_range(v, b'a', b'z' - b'a')
        | eq(b'_')
        | eq(b'~');
    let sep = colon | eq(b'/');
    [word, sep, colon, dash, digit, eq(b'\\')].map(|m| u64::from(m.to_bitmask()))
}

/// The masks of `bytes` (64 of them, zero-padded by the caller past the end).
#[inline]
fn classify64(bytes: &[u8; BLOCK]) -> [u64; 6] {
    let mut out = [0u64; 6];
    let (chunks, _) = bytes.as_chunks::<16>();
    for (k, chunk) in chunks.iter().enumerate() {
        let m = classify16(*chunk);
        for (o, m) in out.iter_mut().zip(m) {
            *o |= m << (16 * k);
        }
    }
    out
}

/// The words of `bytes[start..end]`, in order.
pub struct Words<'a> {
    bytes: &'a [u8],
    end: usize,
    json: bool,
    /// Offset of the block held (`base..base + 64`), or `usize::MAX` before the first.
    base: usize,
    block: Block,
    /// Next offset to look at.
    pos: usize,
    /// JSON: the byte at the next block's start follows a backslash run of odd length.
    escape_next: bool,
}

impl<'a> Words<'a> {
    /// The words of `bytes[start..end]` (`end` is capped at the text's length).
    /// `json`: a backslash outside a word escapes the byte after it.
    pub fn new(bytes: &'a [u8], start: usize, end: usize, json: bool) -> Self {
        let end = end.min(bytes.len());
        Self {
            bytes,
            end,
            json,
            base: usize::MAX,
            block: Block::default(),
            pos: start.min(end),
            escape_next: false,
        }
    }

    /// Loads the block that starts at `base` (the blocks follow one another from the
    /// scan's start, so the backslash runs are counted in order).
    fn load(&mut self, base: usize) {
        let full = self
            .bytes
            .get(base..base.saturating_add(BLOCK))
            .filter(|_| base + BLOCK <= self.end)
            .and_then(|s| <&[u8; BLOCK]>::try_from(s).ok());
        let [mut word, sep, colon, dash, digit, bs] = match full {
            Some(block) => classify64(block),
            None => {
                // The last block: zero bytes past the end belong to no word.
                let mut buf = [0u8; BLOCK];
                let n = self.end.saturating_sub(base).min(BLOCK);
                if let (Some(dst), Some(src)) = (buf.get_mut(..n), self.bytes.get(base..base + n)) {
                    dst.copy_from_slice(src);
                }
                classify64(&buf)
            }
        };
        if self.json {
            word &= !self.escaped(bs);
        }
        self.base = base;
        self.block = Block {
            word,
            sep,
            colon,
            dash,
            digit,
        };
    }

    /// The bytes of the block escaped by a backslash run of odd length (JSON), with the
    /// run carried over from the block before; sets the carry for the next block.
    fn escaped(&mut self, bs: u64) -> u64 {
        let mut esc = 0u64;
        let mut carry = std::mem::take(&mut self.escape_next);
        if carry && bs & 1 == 0 {
            esc |= 1;
            carry = false;
        }
        let mut m = bs;
        while m != 0 {
            let s = m.trailing_zeros();
            let run = (!(m >> s)).trailing_zeros();
            let e = s + run;
            // The run before the block continues into this one at bit 0.
            let odd = (run % 2 == 1) != (s == 0 && carry);
            if e < 64 {
                if odd {
                    esc |= 1 << e;
                }
                m &= !((1u64 << e) - 1);
            } else {
                self.escape_next = odd;
                m = 0;
            }
        }
        esc
    }

    /// The block holding `pos`, loading the blocks up to it in order.
    #[inline(always)]
    fn block_at(&mut self, pos: usize) -> Block {
        if self.base == usize::MAX || pos >= self.base + BLOCK {
            self.advance_to(pos);
        }
        self.block
    }

    /// Loads the blocks up to the one holding `pos`, in order (a long run of word
    /// bytes holds no backslash, so jumping over it keeps the runs' count right).
    #[cold]
    fn advance_to(&mut self, pos: usize) {
        if self.base == usize::MAX {
            self.load(pos);
        }
        while pos >= self.base + BLOCK {
            self.load(self.base + BLOCK);
        }
    }
}

impl Iterator for Words<'_> {
    type Item = Word;

    #[inline]
    fn next(&mut self) -> Option<Word> {
        // The word's start: the first word byte at or after `pos`.
        let start = loop {
            if self.pos >= self.end {
                return None;
            }
            let pos = self.pos;
            let b = self.block_at(pos);
            let off = pos - self.base;
            let w = b.word >> off;
            if w != 0 {
                break pos + w.trailing_zeros() as usize;
            }
            self.pos = self.base + BLOCK;
        };
        if start >= self.end {
            self.pos = self.end;
            return None;
        }
        // Its end, accumulating the flags of each block it spans.
        let (mut sep, mut colon, mut dash, mut digit) = (false, false, false, false);
        let mut at = start;
        let end = loop {
            let b = self.block_at(at);
            let off = at - self.base;
            // Bits `off..stop` of the block are this word's (`stop` is 64 when the word
            // goes on into the next block).
            let from = u64::MAX << off;
            let stop = (!b.word & from).trailing_zeros() as usize;
            let range = from & !u64::MAX.checked_shl(stop as u32).unwrap_or(0);
            sep |= b.sep & range != 0;
            colon |= b.colon & range != 0;
            dash |= b.dash & range != 0;
            digit |= b.digit & range != 0;
            if stop < BLOCK {
                break self.base + stop;
            }
            at = self.base + BLOCK;
            if at >= self.end {
                break self.end;
            }
        };
        let end = end.min(self.end);
        self.pos = end;
        Some(Word {
            start,
            end,
            sep,
            colon,
            dash_digit: dash && digit,
            digit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn is_word_byte(b: u8) -> bool {
        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'/' | b':' | b'@' | b'~')
    }

    /// The byte-at-a-time scanner [`next_word`] replaced.
    fn words_reference(bytes: &[u8], start: usize, end: usize, json: bool) -> Vec<Word> {
        let end = end.min(bytes.len());
        let mut out = Vec::new();
        let mut i = start;
        while i < end {
            let b = bytes[i];
            if !is_word_byte(b) {
                i += if json && b == b'\\' { 2 } else { 1 };
                continue;
            }
            let s = i;
            while i < end && is_word_byte(bytes[i]) {
                i += 1;
            }
            let sep = bytes[s..i].iter().any(|&b| b == b'/' || b == b':');
            let colon = bytes[s..i].contains(&b':');
            let digit = bytes[s..i].iter().any(u8::is_ascii_digit);
            let dash_digit = bytes[s..i].contains(&b'-') && digit;
            out.push(Word {
                start: s,
                end: i,
                sep,
                colon,
                dash_digit,
                digit,
            });
        }
        out
    }

    fn words(bytes: &[u8], start: usize, end: usize, json: bool) -> Vec<Word> {
        Words::new(bytes, start, end, json).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Same words as the byte-at-a-time scanner, for any bytes, range and mode.
        #[test]
        fn words_agree_with_reference(
            bytes in proptest::collection::vec(
                prop_oneof![
                    Just(b'a'), Just(b'Z'), Just(b'7'), Just(b'/'), Just(b':'), Just(b'-'),
                    Just(b'.'), Just(b'~'), Just(b'@'), Just(b'\\'), Just(b' '), Just(b'"'),
                    Just(b'\n'), Just(b','), Just(0xc3), Just(0xa9), Just(0x7f), Just(0),
                    any::<u8>(),
                ],
                0..200,
            ),
            a in 0usize..220,
            b in 0usize..220,
            json in any::<bool>(),
        ) {
            let (s, e) = (a.min(b), a.max(b));
            prop_assert_eq!(words(&bytes, s, e, json), words_reference(&bytes, s, e, json));
        }

        /// Long runs of backslashes and of word bytes across the 64-byte blocks: the
        /// run's parity carried from one block to the next, and words spanning blocks.
        #[test]
        fn runs_across_blocks_agree_with_reference(
            runs in proptest::collection::vec(
                (prop_oneof![Just(b'\\'), Just(b'a'), Just(b'-'), Just(b'7'), Just(b':'), Just(b' ')], 1usize..150),
                0..12,
            ),
            a in 0usize..1200,
            b in 0usize..1200,
            json in any::<bool>(),
        ) {
            let bytes: Vec<u8> = runs.iter().flat_map(|&(c, n)| std::iter::repeat_n(c, n)).collect();
            let (s, e) = (a.min(b), a.max(b));
            prop_assert_eq!(words(&bytes, s, e, json), words_reference(&bytes, s, e, json));
        }
    }
}
