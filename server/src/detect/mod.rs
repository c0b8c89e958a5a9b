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
pub mod words;

use std::ops::Range;

pub use context::Context;
pub use kind::FileKind;

// The types the detector hands the resolver, at their old paths.
pub use crate::candidate::placeholders;
pub use crate::candidate::{Candidate, MODEL_FILE_EXTENSIONS, Shape, Weights, shape_of};

use crate::kb::KnowledgeBase;
use crate::kb::generated::GenKind;
use crate::resolve::{self, Reference};

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

/// Whether `word` ends in a model file's extension (`.gguf`, `.safetensors`, ...).
/// Asked of most words: two cheap byte tests come first.
#[inline(always)]
fn model_file_name(word: &[u8]) -> bool {
    let lw = word.len();
    // Every model file extension ends in one of these letters, and starts with a dot.
    lw > 3
        && matches!(word[lw - 1] | 0x20, b'f' | b's' | b't' | b'h' | b'x' | b'n')
        && MODEL_FILE_EXTENSIONS.iter().any(|(e, _)| {
            lw > e.len()
                && word[lw - e.len()] == b'.'
                && word[lw - e.len()..].eq_ignore_ascii_case(e.as_bytes())
        })
}

/// Whether the word at `start..end` is glued to a `+` on either side, as the words
/// of base64 data are (`...+QrhykqxQ/eZLK+...`).
fn base64_piece(bytes: &[u8], start: usize, end: usize) -> bool {
    start.checked_sub(1).and_then(|i| bytes.get(i)) == Some(&b'+') || bytes.get(end) == Some(&b'+')
}

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
            b' ' | b'\t' | b'\n' | b'(' | b'[' | b'*' | b'_' | b'"' | b'\'' | b'`'
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
                | b'`'
                // `\n` closing a notebook's source line
                | b'\\'
        )
    });
    before && after
}

/// Whether a line comment of `kind` opens on the line before `start` (at most 256
/// bytes back): `//` in C-like code, `#` in Python, shell and configuration files.
/// A marker inside a string literal counts too: the test is cheap, and only decides
/// whether a two-byte name (`o1`) is read there.
fn comment_before(b: &[u8], start: usize, kind: FileKind) -> bool {
    let from = start.saturating_sub(256);
    let line = &b[from..start];
    let line = match memchr::memrchr(b'\n', line) {
        Some(i) => &line[i + 1..],
        None => line,
    };
    match kind {
        FileKind::JavaScript | FileKind::Rust | FileKind::Go | FileKind::Json => {
            memchr::memmem::find(line, b"//").is_some()
        }
        FileKind::Markdown => false,
        _ => memchr::memchr(b'#', line).is_some(),
    }
}

/// Whether the line around `start..end` (at most 256 bytes each way) says `model` or
/// `OpenAI` in any case: a short name there (`o1 series`, `reasoning models (o1, o3)`)
/// speaks of the model, not of a variable or a cell reference.
fn models_on_line(b: &[u8], start: usize, end: usize) -> bool {
    let from = start.saturating_sub(256);
    let to = (end + 256).min(b.len());
    let before = &b[from..start];
    let before = match memchr::memrchr(b'\n', before) {
        Some(i) => &before[i + 1..],
        None => before,
    };
    let after = &b[end..to];
    let after = match memchr::memchr(b'\n', after) {
        Some(i) => &after[..i],
        None => after,
    };
    let says = |s: &[u8]| {
        s.windows(5).any(|w| w.eq_ignore_ascii_case(b"model"))
            || s.windows(6).any(|w| w.eq_ignore_ascii_case(b"openai"))
    };
    says(before) || says(after)
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
        for s in notebook::source_ranges(text) {
            scan(text, s.range, kind, s.markdown, kb, &mut out);
        }
    } else {
        scan(text, 0..text.len(), kind, false, kb, &mut out);
    }
    // Most files name no model: their base URLs are not looked for.
    if !out.is_empty() {
        local::drop_local_aliases(
            kb,
            &local::endpoints(text, kind == FileKind::Markdown),
            &mut out,
        );
    }
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
    scan(text, range, kind, false, kb, out);
}

/// [`scan_range`], told whether the range is a notebook's Markdown cell: its words of
/// prose are read as a Markdown file's are.
fn scan(
    text: &str,
    range: Range<usize>,
    kind: FileKind,
    markdown_cell: bool,
    kb: &KnowledgeBase,
    out: &mut Vec<Reference>,
) {
    let bytes = text.as_bytes();
    let end = range.end.min(bytes.len());
    let json_escapes = matches!(kind, FileKind::Notebook | FileKind::Json);
    let mut brackets = context::Brackets::new();
    // The end of the last library reference: words before it were read with its call.
    let mut skip_until = 0usize;
    // Markdown code fences are read in their own language.
    let mut fences = (kind == FileKind::Markdown).then(fences::Fences::new);
    for w in words::Words::new(bytes, range.start, end, json_escapes) {
        let (start, seen_sep) = (w.start, w.sep);
        let mut wend = w.end;
        while wend > start && matches!(bytes[wend - 1], b'.' | b':' | b',') {
            wend -= 1;
        }
        // Most words are plain identifiers: without a separator or a digit, and not
        // a call, a word can only be a model file's name or start a bare name (the
        // tests below then reach the same answer at more cost).
        if !seen_sep
            && !w.digit
            && bytes.get(w.end) != Some(&b'(')
            && !model_file_name(&bytes[start..wend])
            && !kb.bare_may_match(&bytes[start..wend])
        {
            continue;
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
        let model_file = model_file_name(word.as_bytes());
        // `"o1"`, `"o3"`: two-byte API names, only as a whole string literal, or as a
        // word of a comment or of prose on a line that speaks of models.
        let short_api = lw == 2
            && word.as_bytes()[1].is_ascii_digit()
            && kb.generated.contains(GenKind::Api, word);
        let short_prose = short_api
            && !resolve::whole_literal(bytes, start, wend)
            && prose_word(bytes, start, wend)
            && {
                let k = kind_at(&mut fences, kind, text, start);
                (k == FileKind::Markdown || markdown_cell || comment_before(bytes, start, k))
                    && models_on_line(bytes, start, wend)
            };
        let bare_prefix = !has_sep
            && !model_file
            && (kb.bare_may_match(word.as_bytes())
                || (short_api && resolve::whole_literal(bytes, start, wend))
                || short_prose);
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
                || markdown_cell
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
        // An `org/name` no rule knows, glued to a `+`: a piece of base64 data (an
        // embedded image, a lock file's hash), never an id a model context names (no
        // Hub or Ollama name holds a `+`). Such runs hold hundreds of these words.
        if want == context::Want::Model && base64_piece(bytes, w.start, w.end) {
            continue;
        }
        let ctx_kind = *here.get_or_insert_with(|| kind_at(&mut fences, kind, text, start));
        // `"koala-13b"`, or `Zephyr-7b-beta` in a README's prose: a name that a family's
        // name pattern knows names that model wherever it stands.
        // In prose a name needs its size: `Qwen2-VL` or `llama-2` there name a family.
        let loose = matches!(shape, Shape::Bare { .. })
            && (literal
                || short_prose
                || ((ctx_kind == FileKind::Markdown || markdown_cell)
                    && prose_word(bytes, start, wend)
                    && resolve::sized_name(word)));
        if loose {
            want = context::Want::Any;
        }
        let span = start + sub.start..start + sub.end;
        let code_span = (ctx_kind == FileKind::Markdown || markdown_cell)
            && span.start > 0
            && bytes[span.start - 1] == b'`'
            && bytes.get(span.end) == Some(&b'`');
        let cand = Candidate {
            span,
            shape,
            loose,
            code_span,
            prose: ctx_kind == FileKind::Markdown || markdown_cell,
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
