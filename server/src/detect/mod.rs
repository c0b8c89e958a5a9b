//! Detection: text in, model references with byte spans out.
//!
//! The detector splits text into words (runs of `A-Za-z0-9._-/:@~`), keeps the words
//! whose shape can name a model (see [`Shape`]), classifies what surrounds them
//! ([`context::classify`]) and asks the knowledge base whether they are known
//! ([`crate::resolve`]). It knows nothing of the protocol or of the policy.
//!
//! Invariants:
//! * Spans are byte ranges into the text given, on UTF-8 character boundaries, in
//!   increasing order and never overlapping.
//! * The result depends only on the text, the file kind and the knowledge base.
//! * No input makes it panic or loop: every loop advances through the text.

pub mod calls;
pub mod context;
pub mod fences;
pub mod kind;
pub mod local;
pub mod notebook;
pub mod placeholders;
pub mod words;

use std::ops::Range;

pub use context::Context;
pub use kind::FileKind;

use crate::kb::generated::GenKind;
use crate::kb::{DetectVocab, KnowledgeBase};
use crate::resolve::{self, Reference};

/// The shape of a candidate word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// `org/name`; `explicit` when written as a hub URL or with a router prefix,
    /// which names a model whatever the context.
    Repo {
        /// Organisation or user.
        org: String,
        /// Repository name.
        name: String,
        /// `:tag` after the name (Ollama pulls from the hub).
        tag: Option<String>,
        /// Written as a URL or with a router prefix.
        explicit: bool,
        /// Written behind an API router (`openai/…`): may also be an API name.
        api_router: bool,
    },
    /// `name:tag` or a name behind an Ollama router.
    Ollama {
        /// Library name.
        name: String,
        /// Tag.
        tag: Option<String>,
        /// Written with an Ollama router prefix.
        explicit: bool,
    },
    /// A model file name: GGUF (always a model) or a single-file checkpoint
    /// (`.safetensors`, `.ckpt`: a reference only when its name is known).
    File {
        /// File name, with its extension.
        file: String,
        /// What its extension says.
        weights: Weights,
    },
    /// A name behind a hosting provider's path (`@cf/meta/llama-3.1-8b-instruct`,
    /// `accounts/fireworks/models/llama-v3p1-8b-instruct`): always names a model.
    Hosted {
        /// Index into the knowledge base's providers.
        provider: usize,
        /// The name after the path, as written.
        name: String,
    },
    /// A word without `/` or `:`.
    Bare {
        /// The word.
        name: String,
    },
}

/// A word that may name a model, before resolution.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Byte span of the reference text.
    pub span: Range<usize>,
    /// Its shape.
    pub shape: Shape,
    /// The word stands alone where a name is written for its own sake: a whole string
    /// literal (`"GLM-4-9B-Chat"`) or a word of Markdown prose. A repository name
    /// without its org that a family's name pattern knows is then a reference in any
    /// context, not only a model context.
    pub loose: bool,
}

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

fn in_list(list: &[String], s: &str) -> bool {
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
    let (at_sign, slashes) = w.bytes().fold((false, 0usize), |(a, n), b| {
        (a || b == b'@', n + usize::from(b == b'/'))
    });
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
    let wb = w.as_bytes();
    let model_ext = || {
        MODEL_FILE_EXTENSIONS
            .iter()
            .find(|(e, _)| ends_with_ignore_case(wb, e.as_bytes()))
    };
    if let Some(at) = scheme_end(wb) {
        let scheme = &wb[..at];
        if !scheme.eq_ignore_ascii_case(b"http") && !scheme.eq_ignore_ascii_case(b"https") {
            return None;
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
            let path = &rest[rest.find('/')? + 1..];
            return hub_path(vocab, path).map(|s| (0..w.len(), s));
        }
        // Other URLs: only a model file name at their end counts.
        model_ext()?;
    }
    if let Some((ext, weights)) = model_ext() {
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
        if starts_with_ignore_case(wb, host.as_bytes()) {
            return hub_path(vocab, &w[host.len()..]).map(|s| (0..w.len(), s));
        }
    }
    if matches!(wb[0], b'.' | b'/' | b'~' | b'-' | b':') {
        return None;
    }
    // One, two or three non-empty segments, and no `@`: found in one pass over the
    // word's bytes (words are short; a searcher per question cost more than the pass).
    let mut slashes = [0usize; 2];
    let mut n = 0;
    for (i, &b) in wb.iter().enumerate() {
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
    match segs {
        (one, None, _) => {
            let (name, tag) = split_tag(one);
            if !is_name(name) || has_file_extension(vocab, name) {
                return None;
            }
            match tag {
                Some(t) if valid_tag(t) => Some((
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
        (a, Some(b), None) => {
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
                },
            ))
        }
        (router, Some(a), Some(b))
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
                },
            ))
        }
        _ => None,
    }
}

/// Whether the line before `start` (at most 120 bytes back) holds the word `model`
/// in any case (`"model": `, `model_name=`, `--model `, `MODEL_ID=`): the cheap test a
/// repository name without its org must pass before its patterns are looked up.
fn model_word_before(b: &[u8], start: usize) -> bool {
    let from = start.saturating_sub(120);
    let line = &b[from..start];
    let line = match memchr::memrchr(b'\n', line) {
        Some(i) => &line[i + 1..],
        None => line,
    };
    line.windows(5).any(|w| w.eq_ignore_ascii_case(b"model"))
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

/// Whether `span` lies inside a string literal on its line: the nearest quote before
/// it and after it, across no blank and within [`QUOTE_REACH`] bytes.
fn quoted(bytes: &[u8], span: &Range<usize>) -> bool {
    let is_quote = |b: u8| matches!(b, b'"' | b'\'' | b'`');
    let stop = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let floor = span.start.saturating_sub(QUOTE_REACH);
    let before = bytes[floor..span.start]
        .iter()
        .rev()
        .find(|&&b| is_quote(b) || stop(b));
    let ceil = (span.end + QUOTE_REACH).min(bytes.len());
    let after = bytes[span.end..ceil]
        .iter()
        .find(|&&b| is_quote(b) || stop(b));
    // A notebook's source is JSON: its quotes are escaped (`\"`).
    before.is_some_and(|&b| is_quote(b)) && after.is_some_and(|&b| is_quote(b) || b == b'\\')
}

/// How far [`quoted`] looks for a quote.
const QUOTE_REACH: usize = 512;

/// The longest word read as a reference (bytes): longer runs (data URIs, minified
/// code, base64) name no model, and the bound keeps an edit's re-scan window finite.
pub const MAX_WORD: usize = 1024;

/// What a weight file's extension says of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weights {
    /// `.gguf`: a model file with its own header.
    Gguf,
    /// `.safetensors`, `.ckpt`, `.pth`, `.onnx`: weights wherever the name appears.
    Strong,
    /// `.pt`, `.bin`: also used for other data; weights only in a model context.
    Weak,
}

/// Extensions of model files whose names are matched against `names` patterns (an
/// unknown name is a reference too, unless it is generic: see [`placeholders`]).
pub const MODEL_FILE_EXTENSIONS: [(&str, Weights); 7] = [
    (".gguf", Weights::Gguf),
    (".safetensors", Weights::Strong),
    (".ckpt", Weights::Strong),
    (".pth", Weights::Strong),
    (".onnx", Weights::Strong),
    (".pt", Weights::Weak),
    (".bin", Weights::Weak),
];

/// `self.features.gguf`: a chain of identifiers, an attribute access in code.
fn attribute_path(word: &str) -> bool {
    word.split('.').all(|p| {
        p.bytes()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
            && p.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
    }) && word.contains('.')
}

/// Whether `bytes[start..end]` stands as a word of prose: between white space or
/// punctuation, not inside markup (`v0&#46;3` is an HTML entity's remains, not `v0`).
fn prose_word(bytes: &[u8], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).is_none_or(|i| {
        matches!(
            bytes[i],
            b' ' | b'\t' | b'\n' | b'(' | b'[' | b'*' | b'_' | b'"' | b'\''
        )
    });
    let after = bytes.get(end).is_none_or(|c| {
        matches!(
            c,
            b' ' | b'\t'
                | b'\r'
                | b'\n'
                | b'.'
                | b','
                | b')'
                | b']'
                | b'*'
                | b'_'
                | b':'
                | b';'
                | b'!'
                | b'?'
                | b'"'
                | b'\''
        )
    });
    before && after
}

/// The kind of text at `pos`: the language of the Markdown fence around it, if any.
/// Positions must not decrease from one call to the next.
fn kind_at(
    fences: &mut Option<fences::Fences>,
    kind: FileKind,
    text: &str,
    pos: usize,
) -> FileKind {
    match fences.as_mut() {
        Some(f) => f.kind_at(text, pos),
        None => kind,
    }
}

/// Scans `text` of the given kind and returns every model reference, in order.
/// Closed API names sent to a local server are left out (see [`local`]).
pub fn detect(text: &str, kind: FileKind, kb: &KnowledgeBase) -> Vec<Reference> {
    let mut out = Vec::new();
    if kind == FileKind::Notebook {
        for r in notebook::source_ranges(text) {
            scan_range(text, r, kind, kb, &mut out);
        }
    } else {
        scan_range(text, 0..text.len(), kind, kb, &mut out);
    }
    local::drop_local_aliases(
        kb,
        &local::endpoints(text, kind == FileKind::Markdown),
        &mut out,
    );
    out
}

/// Scans the words of `text[range]` (contexts may look outside the range).
pub fn scan_range(
    text: &str,
    range: Range<usize>,
    kind: FileKind,
    kb: &KnowledgeBase,
    out: &mut Vec<Reference>,
) {
    let bytes = text.as_bytes();
    let end = range.end.min(bytes.len());
    let mut i = range.start;
    let json_escapes = matches!(kind, FileKind::Notebook | FileKind::Json);
    let mut brackets = context::Brackets::new();
    // The end of the last library reference: words before it were read with its call.
    let mut skip_until = 0usize;
    // Markdown code fences are read in their own language.
    let mut fences = (kind == FileKind::Markdown).then(fences::Fences::new);
    while let Some(w) = words::next_word(bytes, &mut i, end, json_escapes) {
        let (start, seen_sep) = (w.start, w.sep);
        let mut wend = w.end;
        while wend > start && matches!(bytes[wend - 1], b'.' | b':' | b',') {
            wend -= 1;
        }
        // `${MODEL:-org/name}`: the default value is the word.
        let start = if !w.colon {
            start
        } else {
            match bytes[start..wend]
                .windows(2)
                .rposition(|w| w[0] == b':' && w[1] == b'-')
            {
                Some(p) => start + p + 2,
                None => start,
            }
        };
        // `openai::gpt-4.1-mini`, `zai_coding::glm-4.6` (a client's namespace before the
        // model, as rust-genai writes it): the name after the last `::`.
        let start = if !w.colon {
            start
        } else {
            match bytes[start..wend].windows(2).rposition(|w| w == b"::") {
                Some(p) => start + p + 2,
                None => start,
            }
        };
        // Word bytes are ASCII: every offset between them is a character boundary.
        let Some(word) = text.get(start..wend) else {
            continue;
        };
        if start < skip_until || wend - start > MAX_WORD {
            continue;
        }
        // `%05d.gguf`, `%Y-%m.pth`: the tail of a printf or strftime pattern.
        if start > 0 && bytes[start - 1] == b'%' {
            continue;
        }
        // `claude-`, `amazon.nova-`: a prefix used as a pattern, not a name.
        if wend > start && bytes[wend - 1] == b'-' && bytes.get(wend) != Some(&b'(') {
            continue;
        }
        // A library call that names a model in its own words, or implies one.
        if bytes.get(w.end) == Some(&b'(')
            && let Some(li) = kb.libraries.call(word)
        {
            let args = calls::read_args(text, w.end);
            let call = start + word.rfind('.').map_or(0, |d| d + 1)..wend;
            if let Some(r) = resolve::resolve_library_call(kb, text, call, li, &args) {
                skip_until = r.span.end;
                out.push(r);
            }
            continue;
        }
        // Cheap filters before any allocation: most words are plain identifiers.
        let has_sep = seen_sep && word.bytes().any(|b| b == b'/' || b == b':');
        let lw = word.len();
        // Every model file extension ends in one of these letters.
        let model_file = lw > 3
            && matches!(
                word.as_bytes()[lw - 1] | 0x20,
                b'f' | b's' | b't' | b'h' | b'x' | b'n'
            )
            && MODEL_FILE_EXTENSIONS.iter().any(|(e, _)| {
                lw > e.len() && word.as_bytes()[lw - e.len()..].eq_ignore_ascii_case(e.as_bytes())
            });
        let bare_prefix = !has_sep
            && !model_file
            && (kb.bare_may_match(word)
                // `"o1"`, `"o3"`: two-byte API names, only as a whole string literal.
                || (lw == 2
                    && word.as_bytes()[1].is_ascii_digit()
                    && resolve::whole_literal(bytes, start, wend)
                    && kb.generated.contains(GenKind::Api, word)));
        // `"zai::glm-4.5"`: a literal whose namespace was cut off is still whole.
        let literal = resolve::whole_literal(bytes, start, wend)
            || (start != w.start && resolve::whole_literal(bytes, w.start, wend));
        // The kind of text at the word (a Markdown fence's language inside the fence),
        // asked once per word.
        let mut here = None;
        if !has_sep && !model_file && !bare_prefix {
            // Only a repository name without its org is left (cheap byte tests before
            // any pattern lookup): a whole value after a model word, a whole string
            // literal, or a word of Markdown prose.
            if !(w.dash_digit || (literal && word.contains('_'))) || !resolve::bare_repo_name(word)
            {
                continue;
            }
            let k = *here.get_or_insert_with(|| kind_at(&mut fences, kind, text, start));
            let yaml_key = k == FileKind::Yaml
                && bytes.get(wend) == Some(&b':')
                && resolve::yaml_key(text, &(start..wend));
            if !(literal
                || yaml_key
                || k == FileKind::Markdown
                || (resolve::standalone(text, &(start..wend)) && model_word_before(bytes, start)))
            {
                continue;
            }
        }
        let Some((sub, shape)) = shape_of(&kb.vocab, word) else {
            continue;
        };
        // `org/repo#123` is an issue or pull request, not a model.
        if matches!(shape, Shape::Repo { .. })
            && bytes.get(wend) == Some(&b'#')
            && bytes.get(wend + 1).is_some_and(u8::is_ascii_digit)
        {
            continue;
        }
        // Shapes that are references only when a rule matches: skip the context
        // analysis (the expensive part) when none can. An `org/name` no rule knows
        // needs a model context: the classifier is told so, and a neutral context ends
        // it here.
        let Some(mut want) =
            resolve::candidate_want(kb, &shape, bare_prefix || has_sep || model_file)
        else {
            continue;
        };
        let ctx_kind = *here.get_or_insert_with(|| kind_at(&mut fences, kind, text, start));
        // `"koala-13b"`, or `Zephyr-7b-beta` in a README's prose: a name that a family's
        // name pattern knows names that model wherever it stands.
        // In prose a name needs its size: `Qwen2-VL` or `llama-2` there name a family.
        let loose = matches!(shape, Shape::Bare { .. })
            && (literal
                || (ctx_kind == FileKind::Markdown
                    && prose_word(bytes, start, wend)
                    && resolve::sized_name(word)));
        if loose {
            want = context::Want::Any;
        }
        let cand = Candidate {
            span: start + sub.start..start + sub.end,
            shape,
            loose,
        };
        // In code, an unquoted `name.ckpt` is an attribute (`cfg.ckpt`), not a file:
        // only a name the rules know counts there.
        if let Shape::File { file, weights } = &cand.shape
            && (*weights != Weights::Gguf || attribute_path(file))
            && matches!(
                ctx_kind,
                FileKind::Python
                    | FileKind::Notebook
                    | FileKind::JavaScript
                    | FileKind::Rust
                    | FileKind::Go
            )
            && !quoted(bytes, &cand.span)
            && resolve::resolve_file(kb, file).is_none()
        {
            continue;
        }
        let ctx = context::classify_for(
            text,
            cand.span.start,
            cand.span.end,
            ctx_kind,
            &kb.vocab,
            &mut brackets,
            want,
        );
        if ctx == Context::Negative || (want == context::Want::Model && ctx == Context::Neutral) {
            continue;
        }
        if let Some(r) = resolve::resolve_candidate(text, &cand, ctx, kb) {
            out.push(r);
        }
    }
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
                match tag {
                    Some(t) if valid_tag(t) => Some((
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
            w in "(https?://|HTTP://|hf\\.co/|HuggingFace\\.co/|www\\.|ollama/|openai/|@|[a-zA-Z0-9]{1,6}|[./:_~-]|\\.GGUF|\\.safetensors|\\.ckpt|\\.bin|é){0,8}"
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
