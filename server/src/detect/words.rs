//! The word scanner: splits a range of text into words (maximal runs of
//! `A-Za-z0-9._-/:@~`). Every byte of every file checked passes through here.
//!
//! One table lookup per byte gives both whether the byte belongs to a word and whether
//! it is a separator (`/`, `:`), a `-` or a digit, so a word's separators are known
//! from the pass that finds it. (Classifying eight bytes at a time with integer arithmetic was tried and
//! measured slower: words in code are short.)
//!
//! Invariant: [`next_word`] yields exactly the words of the plain definition (kept as
//! the oracle of the property test below): outside a word, a byte that is not a word
//! byte is skipped, and in JSON texts a backslash skips the byte after it too (`\n`,
//! `\"`: the escaped character is not part of a word).

/// Byte classes: word byte, `/` or `:`, backslash, `:`.
const WORD: u8 = 1;
const SEP: u8 = 2;
const BACKSLASH: u8 = 4;
const COLON: u8 = 8;
const DASH: u8 = 16;
const DIGIT: u8 = 32;
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'-' | b'/' | b':' | b'@' | b'~')
        {
            t[b] = WORD;
        }
        if c == b'/' || c == b':' {
            t[b] |= SEP;
        }
        if c == b':' {
            t[b] |= COLON;
        }
        if c == b'-' {
            t[b] |= DASH;
        }
        if c.is_ascii_digit() {
            t[b] |= DIGIT;
        }
        if c == b'\\' {
            t[b] = BACKSLASH;
        }
        b += 1;
    }
    t
};

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
}

/// The next word at or after `*i` and before `end`. Advances `*i` past it.
pub fn next_word(bytes: &[u8], i: &mut usize, end: usize, json: bool) -> Option<Word> {
    let end = end.min(bytes.len());
    let mut j = *i;
    loop {
        if j >= end {
            *i = j;
            return None;
        }
        let c = CLASS[usize::from(bytes[j])];
        if c & WORD != 0 {
            break;
        }
        j += if json && c == BACKSLASH { 2 } else { 1 };
    }
    let start = j;
    let mut seen = 0u8;
    while j < end {
        let c = CLASS[usize::from(bytes[j])];
        if c & WORD == 0 {
            break;
        }
        seen |= c;
        j += 1;
    }
    *i = j;
    Some(Word {
        start,
        end: j,
        sep: seen & SEP != 0,
        colon: seen & COLON != 0,
        dash_digit: seen & DASH != 0 && seen & DIGIT != 0,
    })
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
            let dash_digit =
                bytes[s..i].contains(&b'-') && bytes[s..i].iter().any(u8::is_ascii_digit);
            out.push(Word {
                start: s,
                end: i,
                sep,
                colon,
                dash_digit,
            });
        }
        out
    }

    fn words(bytes: &[u8], start: usize, end: usize, json: bool) -> Vec<Word> {
        let end = end.min(bytes.len());
        let mut out = Vec::new();
        let mut i = start;
        while let Some(w) = next_word(bytes, &mut i, end, json) {
            out.push(w);
        }
        out
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
    }
}
