//! The statement around a word: where it starts and ends (a call's brackets, or a
//! shell command between `;`, `&&`, `|` and unescaped line ends), and whether it
//! downloads a dataset (`repo_type="dataset"`, `--repo-type dataset`), which makes
//! every word in it Negative.
//!
//! Invariants:
//! * Reads at most [`SCAN_FORWARD`] bytes after the word.
//! * Every offset returned is on a character boundary.

use super::SCAN_FORWARD;
use super::bytes::{find_ignore_case, lower_word, slice};

/// Whether the statement that starts at `statement_start` and holds the word ending at
/// `end` is a dataset download (`repo_type="dataset"` anywhere in it). `in_call`: the
/// statement is the call whose bracket opens at `statement_start`.
pub(super) fn dataset_statement(
    text: &str,
    statement_start: usize,
    end: usize,
    in_call: bool,
) -> bool {
    // The statement ends at most [`SCAN_FORWARD`] bytes on: when the text up to
    // there has no `repo_type`, neither has the statement, and its end need not be
    // found.
    let mut reach = (end + SCAN_FORWARD).min(text.len());
    while !text.is_char_boundary(reach) {
        reach += 1;
    }
    has_repo_type(slice(text, statement_start, reach))
        && has_repo_type(slice(
            text,
            statement_start,
            statement_end(text, end, in_call),
        ))
}

/// Whether a piece of text says `repo_type="dataset"` (or `space`), `--repo-type
/// dataset` or `--repo-type=dataset`.
fn has_repo_type(s: &str) -> bool {
    // ASCII case-insensitive, without lowercasing a copy of the statement (which may
    // be kilobytes long): lowercasing ASCII keeps every byte offset.
    // Found from the `y` of `type` (rarer in code and data than the separators `_` and
    // `-`): a separator two bytes before it, `repo` before that, `type` around it.
    let b = s.as_bytes();
    for y in memchr::memchr2_iter(b'y', b'Y', b) {
        let Some(at) = y.checked_sub(2) else {
            continue;
        };
        if matches!(b[at], b'_' | b'-')
            && at >= 4
            && lower_word(&b[at - 4..at]) == Some(*b"repo")
            && b.get(at + 1..at + 5).and_then(lower_word) == Some(*b"type")
        {
            // The next 16 characters.
            let after = s.get(at + 5..).unwrap_or("");
            let n = after.char_indices().nth(16).map_or(after.len(), |(i, _)| i);
            let after = &after.as_bytes()[..n];
            if find_ignore_case(after, b"dataset").is_some()
                || find_ignore_case(after, b"space").is_some()
            {
                return true;
            }
        }
    }
    false
}

/// Where the statement holding the word ends: inside a call, at its closing bracket;
/// otherwise at the end of the shell command (`;`, `&&`, `|`, or a line end that is
/// not continued with `\`). Never more than [`SCAN_FORWARD`] bytes on.
fn statement_end(text: &str, end: usize, in_call: bool) -> usize {
    let bytes = text.as_bytes();
    let stop = (end + SCAN_FORWARD).min(bytes.len());
    let mut depth = 0i32;
    let mut i = end;
    while i < stop {
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            b'\n' if depth == 0 && !in_call => {
                let mut j = i;
                while j > end && matches!(bytes[j - 1], b' ' | b'\t' | b'\r') {
                    j -= 1;
                }
                if !(j > end && bytes[j - 1] == b'\\') {
                    break;
                }
            }
            b';' | b'|' if depth == 0 && !in_call => break,
            b'&' if depth == 0 && !in_call && bytes.get(i + 1) == Some(&b'&') => break,
            _ => {}
        }
        i += 1;
    }
    while i > end && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Where the shell command holding `start` begins on its line (after `;`, `&&`, `|`).
pub(super) fn command_start(text: &str, line_start: usize, start: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = start;
    // The nearest `;`, `|` or `&` before `start`, found with a vector search; a single
    // `&` (not `&&`) does not end a command, so the search goes on before it.
    while let Some(p) = memchr::memrchr3(b';', b'|', b'&', &bytes[line_start..i]) {
        let at = line_start + p;
        if bytes[at] != b'&' || (at > 0 && bytes[at - 1] == b'&') {
            return at + 1;
        }
        i = at;
    }
    line_start
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `command_start` as written before it searched with `memrchr3`.
    fn command_start_reference(text: &str, line_start: usize, start: usize) -> usize {
        let bytes = text.as_bytes();
        let mut i = start;
        while i > line_start {
            if matches!(bytes[i - 1], b';' | b'|')
                || (bytes[i - 1] == b'&' && i >= 2 && bytes[i - 2] == b'&')
            {
                break;
            }
            i -= 1;
        }
        i
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn command_start_agrees_with_reference(
            text in "[;|& a\n]{0,40}",
            a in 0usize..45,
            b in 0usize..45,
        ) {
            let (line_start, start) = (a.min(b).min(text.len()), a.max(b).min(text.len()));
            prop_assert_eq!(
                command_start(&text, line_start, start),
                command_start_reference(&text, line_start, start)
            );
        }
    }

    /// `has_repo_type` as written before it searched from the separators.
    fn has_repo_type_reference(s: &str) -> bool {
        let lower = s.to_ascii_lowercase();
        let mut from = 0;
        while let Some(p) = lower[from..].find("repo") {
            let at = from + p + 4;
            let rest = &lower[at..];
            if rest.starts_with("_type") || rest.starts_with("-type") {
                let after: String = rest[5..].chars().take(16).collect();
                if after.contains("dataset") || after.contains("space") {
                    return true;
                }
            }
            from = at;
        }
        false
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn has_repo_type_agrees_with_reference(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("repo"), Just("REPO"), Just("Repo"), Just("_type"), Just("-TYPE"),
                    Just("y"), Just("Y"), Just("tYpe"), Just("_ty"),
                    Just("_"), Just("-"), Just("type"), Just("=\""), Just(" "), Just("dataset"),
                    Just("Space"), Just("é"), Just("x"), Just("repo_type=\"da"), Just("taset"),
                    Just("0123456789abcdef"),
                ],
                0..12,
            ),
        ) {
            let s: String = parts.concat();
            prop_assert_eq!(has_repo_type(&s), has_repo_type_reference(&s));
        }
    }
}
