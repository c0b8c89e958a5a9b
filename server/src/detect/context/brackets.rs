//! The brackets around a word: the unmatched openings before it, tracked as a scan
//! moves forward ([`Brackets`]), and what each says ([`enclosing`]): the name of the
//! call it opens, or the key of the list or table.
//!
//! Invariants:
//! * Reads at most [`SCAN_BACK`] bytes before the word: what opens before that is
//!   never reported.
//! * The result for a position is the same whatever the tracker read before (a scan
//!   that moves backwards or far ahead starts again from the floor).
//! * Classifications are cached per scan (names per bracket, at most [`KEY_MEMO`]
//!   keys); a cache only saves work and never changes an answer.

use super::SCAN_BACK;
use super::bytes::{MAX_RUN, ident_before, slice};
use super::keys::{KeyClass, classify_normalized, normalize_key};
use crate::kb::DetectVocab;

/// How many classified keys a scan remembers.
const KEY_MEMO: usize = 1024;

/// The unmatched opening brackets before a position, kept up to date as a scan moves
/// forward through a text, so that [`super::classify_at`] need not re-read the
/// [`super::SCAN_BACK`] bytes before every word.
///
/// Reading backwards from a word, an opening bracket is reported when no closing
/// bracket after it (and before the word) closes it; with any closing bracket closing
/// any opening one, that is exactly the set of openings left on a stack after reading
/// forward, pushing at each opening bracket and popping at each closing one. Whether
/// an opening at `p` is left depends only on the bytes between `p` and the word, so the
/// stack may start empty anywhere at or before the scan's floor.
#[derive(Debug, Default, Clone)]
pub struct Brackets {
    /// Bytes before this offset have been read.
    pos: usize,
    /// Offsets of the unmatched opening brackets read, ascending.
    open: Vec<usize>,
    /// The names before brackets, classified, by the bracket's offset: a call's class
    /// and whether it takes Ollama names, or a container key's class. Consecutive
    /// words mostly share their enclosing brackets.
    names: Vec<(usize, KeyClass, bool)>,
    /// Keys classified so far, by their text as written: a file repeats its keys.
    keys: std::collections::HashMap<String, (KeyClass, bool)>,
}

impl Brackets {
    /// A tracker at the start of a text.
    pub fn new() -> Self {
        Self::default()
    }

    /// The classification of the name before the bracket at `at`, computed once.
    pub(super) fn named(
        &mut self,
        at: usize,
        classify: impl FnOnce() -> (KeyClass, bool),
    ) -> (KeyClass, bool) {
        if let Some(&(_, class, ollama)) = self.names.iter().find(|(p, ..)| *p == at) {
            return (class, ollama);
        }
        let (class, ollama) = classify();
        self.names.push((at, class, ollama));
        (class, ollama)
    }

    /// [`super::keys::classify_key`], remembered for the rest of the scan (at most [`KEY_MEMO`]
    /// keys, then forgotten all at once).
    pub(super) fn key_class(&mut self, vocab: &DetectVocab, key: &str) -> KeyClass {
        self.key_info(vocab, key).0
    }

    /// A key's class, and whether it is one of the keys that inherit a parent's model
    /// context (`inherit_keys`); remembered as [`Self::key_class`] is.
    pub(super) fn key_info(&mut self, vocab: &DetectVocab, key: &str) -> (KeyClass, bool) {
        if let Some(&info) = self.keys.get(key) {
            return info;
        }
        let k = normalize_key(key);
        let info = (
            classify_normalized(vocab, &k),
            vocab.inherit_keys.contains(&k),
        );
        if self.keys.len() >= KEY_MEMO {
            self.keys.clear();
        }
        self.keys.insert(key.to_string(), info);
        info
    }

    /// Reads up to `start`; afterwards `open` holds the unmatched openings in
    /// `floor..start`.
    pub(super) fn advance(&mut self, bytes: &[u8], start: usize) {
        let start = start.min(bytes.len());
        let floor = start.saturating_sub(SCAN_BACK);
        if start < self.pos || self.pos < floor {
            // Moved backwards, or far ahead: what lies before the floor is never read.
            self.open.clear();
            self.names.clear();
            self.pos = floor;
        }
        self.names.retain(|(at, ..)| *at >= floor);
        let from = self.pos;
        let hay = &bytes[from..start];
        // Openings and closings found with two vectorized searches, merged in order.
        let mut opens = memchr::memchr3_iter(b'(', b'[', b'{', hay).peekable();
        let mut closes = memchr::memchr3_iter(b')', b']', b'}', hay).peekable();
        loop {
            match (opens.peek(), closes.peek()) {
                (Some(&o), Some(&c)) if o < c => {
                    self.open.push(from + o);
                    opens.next();
                }
                (Some(&o), None) => {
                    self.open.push(from + o);
                    opens.next();
                }
                (_, Some(_)) => {
                    self.open.pop();
                    closes.next();
                }
                (None, None) => break,
            }
        }
        self.pos = start;
        let below = self.open.partition_point(|&p| p < floor);
        if below > 0 {
            self.open.drain(..below);
        }
    }
}

/// Signals from the enclosing brackets, nearest first: the name of a call, or the
/// key of a list or table. At most three, within [`SCAN_BACK`] bytes.
pub(super) fn enclosing<'t>(
    text: &'t str,
    start: usize,
    brackets: &mut Brackets,
) -> Vec<(KeyKind, &'t str, usize)> {
    let bytes = text.as_bytes();
    brackets.advance(bytes, start);
    let mut out = Vec::with_capacity(3);
    for &i in brackets.open.iter().rev().take(3) {
        if bytes[i] == b'(' {
            let (a, b) = ident_before(bytes, i);
            out.push((KeyKind::Call, slice(text, a, b), i));
        } else {
            // `key = [`, `"key": {`, `key: [`
            let mut j = i;
            let floor = i.saturating_sub(MAX_RUN);
            while j > floor && matches!(bytes[j - 1], b' ' | b'\t') {
                j -= 1;
            }
            if j > 0 && (bytes[j - 1] == b'=' || bytes[j - 1] == b':') {
                let (a, b) = ident_before(bytes, j - 1);
                out.push((KeyKind::Container, slice(text, a, b), i));
            } else {
                out.push((KeyKind::Container, "", i));
            }
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyKind {
    Call,
    Container,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The openings the backward scan `enclosing` made before [`Brackets`] replaced it
    /// (nearest first, at most three, within [`SCAN_BACK`] bytes).
    fn enclosing_reference(bytes: &[u8], start: usize) -> Vec<usize> {
        let floor = start.saturating_sub(SCAN_BACK);
        let mut depth = 0usize;
        let mut out = Vec::new();
        let mut i = start;
        while i > floor && out.len() < 3 {
            i -= 1;
            match bytes[i] {
                b')' | b']' | b'}' => depth += 1,
                b'(' | b'[' | b'{' if depth > 0 => depth -= 1,
                b'(' | b'[' | b'{' => out.push(i),
                _ => {}
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Advancing one tracker through increasing (and sometimes decreasing) offsets
        /// reports what the backward scan reported at each.
        #[test]
        fn brackets_agree_with_backward_scan(
            text in "[(\\[{)\\]}a\\n]{0,6000}",
            steps in proptest::collection::vec(0usize..3000, 1..40),
        ) {
            let bytes = text.as_bytes();
            let mut b = Brackets::new();
            let mut at = 0usize;
            for (k, s) in steps.iter().enumerate() {
                // Mostly forward, every seventh step anywhere.
                at = if k % 7 == 6 { *s } else { at + s };
                let start = at.min(bytes.len());
                b.advance(bytes, start);
                let got: Vec<usize> = b.open.iter().rev().take(3).copied().collect();
                prop_assert_eq!(got, enclosing_reference(bytes, start));
            }
        }
    }
}
