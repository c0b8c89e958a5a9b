//! The shape of a candidate word: [`shape_of`] tells a repository id, an Ollama name,
//! a model file, a hosting provider's path or a bare name from a word that names no
//! model.
//!
//! Invariants:
//! * Depends only on the word and the knowledge base's detection vocabulary.
//! * Never panics: every slice is cut at an ASCII byte of the word.

use std::ops::Range;

use super::{MODEL_FILE_EXTENSIONS, Shape};
use crate::kb::DetectVocab;

/// Bytes of names: 1 for `.`, `_`, `-` and digits, 2 for letters, 0 for the rest.
static NAME_BYTE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphabetic() {
            t[b] = 2;
        } else if c.is_ascii_digit() || matches!(c, b'.' | b'_' | b'-') {
            t[b] = 1;
        }
        b += 1;
    }
    t
};

/// A name: starts with a letter or digit, holds only letters, digits, `.`, `_` and
/// `-`, and at least one letter.
fn is_name(s: &str) -> bool {
    let b = s.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_alphanumeric) {
        return false;
    }
    let (mut all, mut any_letter) = (true, 0u8);
    for &c in b {
        let k = NAME_BYTE[usize::from(c)];
        all &= k != 0;
        any_letter |= k;
    }
    all && any_letter & 2 != 0
}

fn has_file_extension(vocab: &DetectVocab, name: &str) -> bool {
    name.rsplit_once('.').is_some_and(|(_, ext)| {
        vocab
            .file_extensions
            .iter()
            .any(|e| e.eq_ignore_ascii_case(ext))
    })
}

/// Whether `list` holds `s`, ignoring ASCII case.
pub(crate) fn in_list(list: &[String], s: &str) -> bool {
    list.iter().any(|x| x.eq_ignore_ascii_case(s))
}

fn split_tag(s: &str) -> (&str, Option<&str>) {
    match s.split_once(':') {
        Some((n, t)) => (n, Some(t)),
        None => (s, None),
    }
}

fn valid_tag(t: &str) -> bool {
    !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The shape of a hub URL path (`org/name[/...]`), if it names a model repository.
fn hub_path(vocab: &DetectVocab, path: &str) -> Option<Shape> {
    let path = path.split(['?', '#']).next().unwrap_or("");
    let mut segs = path.split('/').filter(|s| !s.is_empty());
    let org = segs.next()?;
    if in_list(&vocab.hf_reserved, org) {
        return None;
    }
    let (name, tag) = split_tag(segs.next()?);
    if !is_name(org) || !is_name(name) {
        return None;
    }
    Some(Shape::Repo {
        org: org.to_string(),
        name: name.to_string(),
        tag: tag.filter(|t| valid_tag(t)).map(str::to_string),
        explicit: true,
        api_router: false,
        prefixed: false,
    })
}

/// Classifies one word (already trimmed of sentence punctuation). Returns the span
/// within the word and the shape, or `None` when the word cannot name a model.
///
/// Before the plain shapes: a hosting provider's path (`@cf/...`, optionally behind a
/// router segment: `fireworks_ai/accounts/fireworks/models/...`), and a version after
/// `@` (`vertex_ai/claude-3-7-sonnet@20250219`), which is left out of the span.
pub fn shape_of(vocab: &DetectVocab, w: &str) -> Option<(Range<usize>, Shape)> {
    // The plain shapes first: the forms below are rare, and all of them are words the
    // plain shapes reject (an `@`, or three slashes or more).
    let plain = shape_of_plain(vocab, w);
    if plain.is_some() {
        return plain;
    }
    let at_sign = memchr::memchr(b'@', w.as_bytes()).is_some();
    let slashes = w.bytes().filter(|&b| b == b'/').count();
    if !at_sign && slashes < 3 {
        return None;
    }
    if !vocab.provider_paths.is_empty() && slashes > 0 {
        let wb = w.as_bytes();
        let after_router = memchr::memchr(b'/', wb).map_or(0, |i| i + 1);
        for (path, provider) in &vocab.provider_paths {
            for at in [0, after_router] {
                if starts_with_ignore_case(&wb[at..], path.as_bytes()) {
                    let name = &w[at + path.len()..];
                    let ok = !name.is_empty()
                        && name.split('/').all(is_name)
                        && name.bytes().filter(|&b| b == b'/').count() <= 1;
                    return ok.then(|| {
                        (
                            0..w.len(),
                            Shape::Hosted {
                                provider: *provider,
                                name: name.to_string(),
                            },
                        )
                    });
                }
            }
        }
    }
    if let Some(at) = memchr::memrchr(b'@', w.as_bytes()).filter(|&i| i > 0) {
        let (head, version) = (&w[..at], &w[at + 1..]);
        let versioned = !version.is_empty()
            && version
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && memchr::memchr2(b'/', b':', head.as_bytes()).is_some()
            && !head.contains('@');
        if versioned {
            return shape_of_plain(vocab, head);
        }
    }
    None
}

/// [`shape_of`] without providers' paths and `@` versions.
///
/// Most words given are rejected (paths, URLs, identifiers): the rejections compare
/// bytes in place, without allocating.
fn shape_of_plain(vocab: &DetectVocab, w: &str) -> Option<(Range<usize>, Shape)> {
    if w.len() < 2 {
        return None;
    }
    if let Some(decided) = url_or_file(vocab, w) {
        return decided;
    }
    if matches!(w.as_bytes()[0], b'.' | b'/' | b'~' | b'-' | b':') {
        return None;
    }
    match segments(w)? {
        (one, None, _) => bare_or_ollama(vocab, w, one),
        (a, Some(b), None) => two_segments(vocab, w, a, b),
        (router, Some(a), Some(b)) => routed_repo(vocab, w, router, a, b),
    }
}

/// The words whose form decides alone: URLs, hub paths and model file names. `Some`
/// with the shape (or with `None`, when the form names no model); `None` for every
/// other word.
fn url_or_file(vocab: &DetectVocab, w: &str) -> Option<Option<(Range<usize>, Shape)>> {
    let wb = w.as_bytes();
    let model_ext = || {
        MODEL_FILE_EXTENSIONS
            .iter()
            .find(|(e, _)| ends_with_ignore_case(wb, e.as_bytes()))
    };
    if let Some(at) = scheme_end(wb) {
        let scheme = &wb[..at];
        if !scheme.eq_ignore_ascii_case(b"http") && !scheme.eq_ignore_ascii_case(b"https") {
            return Some(None);
        }
        let rest = &w[at + 3..];
        let host = rest.split('/').next().unwrap_or("");
        let host = if starts_with_ignore_case(host.as_bytes(), b"www.") {
            &host[4..]
        } else {
            host
        };
        if host.eq_ignore_ascii_case("huggingface.co") || host.eq_ignore_ascii_case("hf.co") {
            // `https://huggingface.co/org/name/resolve/main/file.gguf` names the repo.
            let Some(slash) = rest.find('/') else {
                return Some(None);
            };
            return Some(hub_path(vocab, &rest[slash + 1..]).map(|s| (0..w.len(), s)));
        }
        // Other URLs: only a model file name at their end counts.
        if model_ext().is_none() {
            return Some(None);
        }
    }
    if let Some((ext, weights)) = model_ext() {
        let file_start = w.rfind('/').map_or(0, |i| i + 1);
        let file = &w[file_start..];
        let stem = &file[..file.len() - ext.len()];
        if stem.is_empty() || !stem.as_bytes()[0].is_ascii_alphanumeric() {
            return Some(None);
        }
        return Some(Some((
            file_start..w.len(),
            Shape::File {
                file: file.to_string(),
                weights: *weights,
            },
        )));
    }
    for host in ["hf.co/", "huggingface.co/", "www.huggingface.co/"] {
        if starts_with_ignore_case(wb, host.as_bytes()) {
            return Some(hub_path(vocab, &w[host.len()..]).map(|s| (0..w.len(), s)));
        }
    }
    None
}
/// The one, two or three non-empty `/`-separated segments of a word without `@`, or
/// `None` for any other word.
fn segments(w: &str) -> Option<(&str, Option<&str>, Option<&str>)> {
    // Found in one pass over the word's bytes (words are short; a searcher per question
    // cost more than the pass).
    let mut slashes = [0usize; 2];
    let mut n = 0;
    for (i, &b) in w.as_bytes().iter().enumerate() {
        match b {
            b'@' => return None,
            b'/' if n == 2 => return None,
            b'/' => {
                slashes[n] = i;
                n += 1;
            }
            _ => {}
        }
    }
    let segs = match n {
        0 => (w, None, None),
        1 => (&w[..slashes[0]], Some(&w[slashes[0] + 1..]), None),
        _ => (
            &w[..slashes[0]],
            Some(&w[slashes[0] + 1..slashes[1]]),
            Some(&w[slashes[1] + 1..]),
        ),
    };
    if segs.0.is_empty() || segs.1 == Some("") || segs.2 == Some("") {
        return None;
    }
    Some(segs)
}

/// A word without `/`: `name:tag` (Ollama) or a bare name.
fn bare_or_ollama(vocab: &DetectVocab, w: &str, one: &str) -> Option<(Range<usize>, Shape)> {
    let (name, tag) = split_tag(one);
    if !is_name(name) || has_file_extension(vocab, name) {
        return None;
    }
    // `ollama:qwen2.5:7b`, `bedrock_converse:anthropic.claude-3-haiku-20240307-v1:0`:
    // after a model-string parser's provider, the model keeps its own `:tag`.
    let provider = || {
        in_list(&vocab.ollama_routers, name)
            || in_list(&vocab.model_prefixes, name)
            || in_list(&vocab.api_routers, name)
    };
    let tag_ok = |t: &str| match t.split_once(':') {
        Some((m, t2)) => valid_tag(m) && valid_tag(t2) && provider(),
        None => valid_tag(t),
    };
    match tag {
        Some(t) if tag_ok(t) => Some((
            0..w.len(),
            Shape::Ollama {
                name: name.to_string(),
                tag: Some(t.to_string()),
                explicit: false,
            },
        )),
        Some(_) => None,
        None => Some((
            0..w.len(),
            Shape::Bare {
                name: name.to_string(),
            },
        )),
    }
}

/// `a/b`: a name behind an Ollama router, or a repository `org/name[:tag]`.
/// The org after a `provider:` prefix (a word that starts with a letter and holds
/// letters, digits, `_` and `-`), when what follows is not a port number
/// (`localhost:8080/v1` keeps its colon, and is then no org).
fn after_provider_prefix(a: &str) -> &str {
    let Some((pre, org)) = a.split_once(':') else {
        return a;
    };
    let word = pre.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        && pre
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-');
    let port = org.bytes().all(|c| c.is_ascii_digit());
    if word && !port { org } else { a }
}

fn two_segments(vocab: &DetectVocab, w: &str, a: &str, b: &str) -> Option<(Range<usize>, Shape)> {
    if in_list(&vocab.ollama_routers, a) {
        let (name, tag) = split_tag(b);
        if !is_name(name) || tag.is_some_and(|t| !valid_tag(t)) {
            return None;
        }
        return Some((
            0..w.len(),
            Shape::Ollama {
                name: name.to_string(),
                tag: tag.map(str::to_string),
                explicit: true,
            },
        ));
    }
    let (name, tag) = split_tag(b);
    // `netmind:deepseek-ai/DeepSeek-R1`, `litellm:perplexity/sonar`: a model-string
    // parser's provider before the org (the span keeps it, as for `openai:gpt-4o`).
    let org = after_provider_prefix(a);
    if !is_name(org) || !is_name(name) || tag.is_some_and(|t| !valid_tag(t)) {
        return None;
    }
    if has_file_extension(vocab, name) {
        return None;
    }
    Some((
        0..w.len(),
        Shape::Repo {
            org: org.to_string(),
            name: name.to_string(),
            tag: tag.map(str::to_string),
            explicit: false,
            api_router: in_list(&vocab.api_routers, org),
            prefixed: org.len() != a.len(),
        },
    ))
}

/// `router/org/name[:tag]`: a repository behind a hub or API router; `None` behind any
/// other first segment.
fn routed_repo(
    vocab: &DetectVocab,
    w: &str,
    router: &str,
    a: &str,
    b: &str,
) -> Option<(Range<usize>, Shape)> {
    if !(in_list(&vocab.hf_routers, router) || in_list(&vocab.api_routers, router)) {
        return None;
    }
    let (name, tag) = split_tag(b);
    if !is_name(a) || !is_name(name) || tag.is_some_and(|t| !valid_tag(t)) {
        return None;
    }
    Some((
        0..w.len(),
        Shape::Repo {
            org: a.to_string(),
            name: name.to_string(),
            tag: tag.map(str::to_string),
            explicit: in_list(&vocab.hf_routers, router),
            api_router: true,
            prefixed: false,
        },
    ))
}

/// Where `://` first occurs.
fn scheme_end(w: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b':', w).find(|&i| w.get(i + 1..i + 3) == Some(b"//"))
}

fn starts_with_ignore_case(w: &[u8], prefix: &[u8]) -> bool {
    w.len() >= prefix.len() && w[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn ends_with_ignore_case(w: &[u8], suffix: &[u8]) -> bool {
    w.len() >= suffix.len() && w[w.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kb() -> &'static crate::kb::KnowledgeBase {
        crate::kb::KnowledgeBase::builtin_for_tests()
    }

    /// The allocating implementation [`super::shape_of`] replaced, kept as an oracle.
    /// Classifies one word (already trimmed of sentence punctuation). Returns the span
    /// within the word and the shape, or `None` when the word cannot name a model.
    fn shape_of_reference(vocab: &DetectVocab, w: &str) -> Option<(Range<usize>, Shape)> {
        if w.len() < 2 {
            return None;
        }
        let lower = w.to_ascii_lowercase();
        if let Some((scheme, rest)) = lower.split_once("://") {
            if scheme != "http" && scheme != "https" {
                return None;
            }
            let host = rest.split('/').next().unwrap_or("");
            let host = host.strip_prefix("www.").unwrap_or(host);
            if host == "huggingface.co" || host == "hf.co" {
                // `https://huggingface.co/org/name/resolve/main/file.gguf` names the repo.
                let rest_orig = &w[scheme.len() + 3..];
                let path_orig = &rest_orig[rest_orig.find('/')? + 1..];
                return hub_path(vocab, path_orig).map(|s| (0..w.len(), s));
            }
            // Other URLs: only a model file name at their end counts.
            if !MODEL_FILE_EXTENSIONS
                .iter()
                .any(|(e, _)| lower.ends_with(e))
            {
                return None;
            }
        }
        if let Some((ext, weights)) = MODEL_FILE_EXTENSIONS
            .iter()
            .find(|(e, _)| lower.ends_with(*e))
        {
            let file_start = w.rfind('/').map_or(0, |i| i + 1);
            let file = &w[file_start..];
            let stem = &file[..file.len() - ext.len()];
            if stem.is_empty() || !stem.as_bytes()[0].is_ascii_alphanumeric() {
                return None;
            }
            return Some((
                file_start..w.len(),
                Shape::File {
                    file: file.to_string(),
                    weights: *weights,
                },
            ));
        }
        for host in ["hf.co/", "huggingface.co/", "www.huggingface.co/"] {
            if lower.starts_with(host) {
                return hub_path(vocab, &w[host.len()..]).map(|s| (0..w.len(), s));
            }
        }
        if w.contains('@') || w.starts_with(['.', '/', '~', '-', ':']) {
            return None;
        }
        let segs: Vec<&str> = w.split('/').collect();
        if segs.iter().any(|s| s.is_empty()) {
            return None;
        }
        match segs.as_slice() {
            [one] => {
                let (name, tag) = split_tag(one);
                if !is_name(name) || has_file_extension(vocab, name) {
                    return None;
                }
                let known = [
                    &vocab.ollama_routers,
                    &vocab.model_prefixes,
                    &vocab.api_routers,
                ]
                .iter()
                .any(|l| in_list(l, name));
                let ok = |t: &str| {
                    let parts: Vec<&str> = t.split(':').collect();
                    match parts.as_slice() {
                        [t] => valid_tag(t),
                        [m, t2] => known && valid_tag(m) && valid_tag(t2),
                        _ => false,
                    }
                };
                match tag {
                    Some(t) if ok(t) => Some((
                        0..w.len(),
                        Shape::Ollama {
                            name: name.to_string(),
                            tag: Some(t.to_string()),
                            explicit: false,
                        },
                    )),
                    Some(_) => None,
                    None => Some((
                        0..w.len(),
                        Shape::Bare {
                            name: name.to_string(),
                        },
                    )),
                }
            }
            [a, b] => {
                if in_list(&vocab.ollama_routers, a) {
                    let (name, tag) = split_tag(b);
                    if !is_name(name) || tag.is_some_and(|t| !valid_tag(t)) {
                        return None;
                    }
                    return Some((
                        0..w.len(),
                        Shape::Ollama {
                            name: name.to_string(),
                            tag: tag.map(str::to_string),
                            explicit: true,
                        },
                    ));
                }
                let (name, tag) = split_tag(b);
                // A `provider:` word before the org, unless a port number follows.
                let (a, prefixed) = match a.split_once(':') {
                    Some((p, o))
                        if p.starts_with(|c: char| c.is_ascii_alphabetic())
                            && p.chars()
                                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                            && !o.chars().all(|c| c.is_ascii_digit()) =>
                    {
                        (o, true)
                    }
                    _ => (*a, false),
                };
                if !is_name(a) || !is_name(name) || tag.is_some_and(|t| !valid_tag(t)) {
                    return None;
                }
                if has_file_extension(vocab, name) {
                    return None;
                }
                Some((
                    0..w.len(),
                    Shape::Repo {
                        org: a.to_string(),
                        name: name.to_string(),
                        tag: tag.map(str::to_string),
                        explicit: false,
                        api_router: in_list(&vocab.api_routers, a),
                        prefixed,
                    },
                ))
            }
            [router, a, b]
                if in_list(&vocab.hf_routers, router) || in_list(&vocab.api_routers, router) =>
            {
                let (name, tag) = split_tag(b);
                if !is_name(a) || !is_name(name) || tag.is_some_and(|t| !valid_tag(t)) {
                    return None;
                }
                Some((
                    0..w.len(),
                    Shape::Repo {
                        org: a.to_string(),
                        name: name.to_string(),
                        tag: tag.map(str::to_string),
                        explicit: in_list(&vocab.hf_routers, router),
                        api_router: true,
                        prefixed: false,
                    },
                ))
            }
            _ => None,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// The in-place `shape_of_plain` agrees with the allocating one it replaced.
        #[test]
        fn shape_of_agrees_with_reference(
            w in "(https?://|HTTP://|hf\\.co/|HuggingFace\\.co/|www\\.|ollama/|openai/|ollama:|xai:|google_vertexai:|8080|@|[a-zA-Z0-9]{1,6}|[./:_~-]|\\.GGUF|\\.safetensors|\\.ckpt|\\.bin|é){0,8}"
        ) {
            let kb = kb();
            prop_assert_eq!(shape_of_plain(&kb.vocab, &w), shape_of_reference(&kb.vocab, &w));
        }
    }

    /// The two-pass `is_name` the table replaced.
    fn is_name_reference(s: &str) -> bool {
        !s.is_empty()
            && s.as_bytes()[0].is_ascii_alphanumeric()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
            && s.bytes().any(|b| b.is_ascii_alphabetic())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn is_name_agrees_with_reference(s in "([a-zA-Z]|[0-9]|[._/:@ -]|é|\\x00|\\x7f){0,10}") {
            prop_assert_eq!(is_name(&s), is_name_reference(&s));
        }
    }
}
