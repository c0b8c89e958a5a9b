//! Commands before a word on its line: `ollama pull …` and Modelfile-like commands
//! make an Ollama context, `vllm serve …`, `llama-server -hf …` and the like a model
//! context, when only flags stand between the command and the word.
//!
//! Invariants:
//! * Reads only the word's line, and the line above when this one continues it (`\`).
//! * Commands are matched ASCII case-insensitively, in place (no lowercased copy of the
//!   line).

use std::borrow::Cow;

use super::bytes::{line_window, rfind_lowercased, slice};
use crate::candidate::Context;
use crate::kb::DetectVocab;

/// The line's text before the word, preceded by the line above when that line ends
/// with a shell continuation (`\\`) and this one holds nothing else before the word.
pub(super) fn continued_prefix<'t>(
    text: &'t str,
    line_start: usize,
    prefix: &'t str,
) -> Cow<'t, str> {
    if !prefix.trim().is_empty() || line_start == 0 {
        return Cow::Borrowed(prefix);
    }
    let (ps, _) = line_window(text, line_start - 1, super::SCAN_BACK, 0);
    let above = slice(text, ps, line_start - 1).trim_end();
    match above.strip_suffix('\\') {
        Some(a) => Cow::Owned(format!("{a} {prefix}")),
        None => Cow::Borrowed(prefix),
    }
}

pub(super) fn command_context(vocab: &DetectVocab, prefix: &str) -> Option<Context> {
    // Matched against the ASCII-lowercased prefix, compared in place: lowercasing
    // changes neither offsets nor white space nor `-`.
    // A command matches only if what follows it is flags: its last occurrence ends at or
    // after `tail`, so that occurrence is the last one in the bytes from `tail` less
    // its length, and no earlier text need be searched.
    let tail = flag_tail_start(prefix);
    for (cmds, ctx) in [
        (&vocab.ollama_commands, Context::Ollama),
        (&vocab.model_commands, Context::Model),
    ] {
        for cmd in cmds {
            let from = tail.saturating_sub(cmd.len());
            let found = prefix
                .as_bytes()
                .get(from..)
                .and_then(|h| rfind_lowercased(h, cmd.as_bytes()))
                .map(|p| from + p);
            if let Some(p) = found {
                let Some(after) = prefix.get(p + cmd.len()..) else {
                    continue;
                };
                if !after.is_empty() && !after.starts_with([' ', '\t']) {
                    continue;
                }
                if after.split_whitespace().all(|t| t.starts_with('-')) {
                    return Some(ctx);
                }
            }
        }
    }
    None
}

/// Where the longest suffix of `s` made of white space and tokens that start with `-`
/// begins (white space as `split_whitespace` sees it): the end of the last other token.
fn flag_tail_start(s: &str) -> usize {
    let mut end = s.len();
    loop {
        let trimmed = s.get(..end).unwrap_or("").trim_end();
        if trimmed.is_empty() {
            return 0;
        }
        let token = after_last_space(trimmed);
        if trimmed[token..].starts_with('-') {
            end = token;
        } else {
            return trimmed.len();
        }
    }
}

/// Where the text after the last white space character of `s` begins (white space as
/// `char::is_whitespace` sees it), 0 when there is none. The ASCII white space is
/// found with `memrchr` (a line of minified code or data is one long token, and
/// every word on it asks), the rest of the Unicode white space only where the text
/// after the last ASCII one is not ASCII.
fn after_last_space(s: &str) -> usize {
    let b = s.as_bytes();
    let ascii = |i: Option<usize>| i.map_or(0, |i| i + 1);
    let from = ascii(memchr::memrchr3(b' ', b'\t', b'\n', b))
        .max(ascii(memchr::memrchr3(b'\r', 0x0b, 0x0c, b)));
    // `from` follows an ASCII byte (or is 0): a character boundary.
    let rest = s.get(from..).unwrap_or("");
    if rest.is_ascii() {
        return from;
    }
    rest.char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(from, |(i, c)| from + i + c.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `command_context` as written before it searched only the tail of the prefix.
    fn command_context_reference(vocab: &DetectVocab, prefix: &str) -> Option<Context> {
        let lower = prefix.to_ascii_lowercase();
        for (cmds, ctx) in [
            (&vocab.ollama_commands, Context::Ollama),
            (&vocab.model_commands, Context::Model),
        ] {
            for cmd in cmds {
                if let Some(p) = lower.rfind(cmd.as_str()) {
                    let after = &lower[p + cmd.len()..];
                    if !after.is_empty() && !after.starts_with([' ', '\t']) {
                        continue;
                    }
                    if after.split_whitespace().all(|t| t.starts_with('-')) {
                        return Some(ctx);
                    }
                }
            }
        }
        None
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// The fast search for the last white space agrees with `char::is_whitespace`
        /// over ASCII and Unicode white space and other characters.
        #[test]
        fn last_space_agrees_with_the_definition(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "a", "-x", " ", "\t", "\n", "\r", "\u{b}", "\u{c}", "\u{a0}", "\u{85}",
                    "\u{2003}", "\u{3000}", "\u{1c}", "é", "日本", "😀",
                ]),
                0..16,
            ),
        ) {
            let s: String = parts.concat();
            let want = s
                .char_indices()
                .rev()
                .find(|(_, c)| c.is_whitespace())
                .map_or(0, |(i, c)| i + c.len_utf8());
            prop_assert_eq!(after_last_space(&s), want, "{:?}", s);
        }

        /// Searching only the flag tail finds what searching the whole prefix found.
        #[test]
        fn command_context_agrees_with_reference(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("ollama"), Just("OLLAMA"), Just("Ollama "), Just("pull"), Just("run"),
                    Just(" "), Just("  "), Just("\t"), Just("\u{a0}"), Just("-hf"), Just("--model"),
                    Just("llama-server"), Just("mlx_lm.generate"), Just("hf download"),
                    Just("x"), Just("="), Just("é"), Just("-"), Just("ollama pull"),
                    Just("vllm serve"), Just("--"), Just("\\"),
                ],
                0..12,
            ),
        ) {
            let prefix: String = parts.concat();
            let vocab = &crate::kb::KnowledgeBase::builtin_for_tests().vocab;
            prop_assert_eq!(command_context(vocab, &prefix), command_context_reference(vocab, &prefix));
        }
    }
}
