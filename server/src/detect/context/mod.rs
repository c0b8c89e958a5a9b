//! What surrounds a candidate word: is it a model context, a dataset (never a
//! reference), or neither?
//!
//! The classifier reads only text near the word: its line, the statement around it
//! (bounded by [`SCAN_BACK`] bytes), and for YAML and TOML the keys and tables above
//! it. It needs no valid syntax, so it works on half-typed files. Every slice it takes
//! is cut at an ASCII byte or a line boundary, so it cannot split a UTF-8 character.
//!
//! This module holds the entry points and the order of the questions asked; each
//! question has its own module: `keys` (the key before the word, and what a name
//! says), `commands` (a shell command before it), `brackets` (the calls and containers
//! around it), `statement` (a dataset download around it), `structure` (YAML and TOML
//! parents) and `bytes` (the byte helpers they share).

mod brackets;
mod bytes;
mod commands;
mod keys;
mod statement;
mod structure;

pub use crate::candidate::{Context, Want};
pub use brackets::Brackets;
pub use bytes::MAX_RUN;
pub use structure::PARENT_BYTES;

use super::kind::FileKind;
use crate::kb::DetectVocab;
use brackets::{KeyKind, enclosing};
use bytes::{has, line_window, slice};
use commands::{command_context, continued_prefix};
use keys::{KeyClass, call_class, classify_key, direct_key};
use statement::{command_start, dataset_statement};
use structure::{toml_table, yaml_parents};

/// How far back (bytes) the scan for an enclosing call or container goes.
pub const SCAN_BACK: usize = 2048;
/// How far forward the scan for `repo_type=` goes.
pub const SCAN_FORWARD: usize = 400;
/// How many lines up the YAML/TOML parent search goes.
pub const PARENT_LINES: usize = 300;

/// Classifies the word at `start..end` of `text`.
pub fn classify(
    text: &str,
    start: usize,
    end: usize,
    kind: FileKind,
    vocab: &DetectVocab,
) -> Context {
    classify_at(text, start, end, kind, vocab, &mut Brackets::new())
}

/// [`classify`], with the brackets read so far by a scan that moves forward through
/// `text` (the result is the same whatever `brackets` holds).
pub fn classify_at(
    text: &str,
    start: usize,
    end: usize,
    kind: FileKind,
    vocab: &DetectVocab,
    brackets: &mut Brackets,
) -> Context {
    classify_for(text, start, end, kind, vocab, brackets, Want::Any)
}

/// [`classify_at`], answering only what `want` asks.
pub fn classify_for(
    text: &str,
    start: usize,
    end: usize,
    kind: FileKind,
    vocab: &DetectVocab,
    brackets: &mut Brackets,
    want: Want,
) -> Context {
    let (line_start, line_end) = line_window(text, start, SCAN_BACK, SCAN_FORWARD);
    if let Some(ctx) = line_context(kind, slice(text, line_start, line_end)) {
        return ctx;
    }
    let encl = enclosing(text, start, brackets);
    let call = encl.iter().find(|(what, _, _)| *what == KeyKind::Call);
    // A dataset download in the same call or shell command.
    let statement_start = match call {
        Some((_, _, pos)) => *pos,
        None => command_start(text, line_start, start),
    };
    // A dataset download (`repo_type="dataset"`) anywhere in the statement makes the
    // word Negative, whatever follows; asked first for an exact answer, last (and only
    // for a model context) when only a model context matters.
    let in_dataset = || dataset_statement(text, statement_start, end, call.is_some());
    if want == Want::Any && in_dataset() {
        return Context::Negative;
    }
    let ctx = classify_rest(text, start, kind, vocab, brackets, line_start, &encl);
    if want == Want::Model && matches!(ctx, Context::Model | Context::Ollama) && in_dataset() {
        return Context::Negative;
    }
    ctx
}

/// The context a line gives whatever else surrounds the word: lines that never hold
/// references (imports, a Dockerfile's `FROM`), and a Modelfile's `FROM` and
/// `ADAPTER`, which name Ollama models.
fn line_context(kind: FileKind, line: &str) -> Option<Context> {
    let trimmed = line.trim_start().trim_start_matches(['"', '\'']);
    // The line's first characters, ignoring ASCII case.
    let head_is = |word: &str| {
        trimmed
            .as_bytes()
            .get(..word.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(word.as_bytes()))
    };

    // Lines that never hold references.
    match kind {
        FileKind::Python | FileKind::Notebook
            if (trimmed.starts_with("import ")
                || (trimmed.starts_with("from ") && trimmed.contains(" import "))) =>
        {
            return Some(Context::Negative);
        }
        FileKind::Dockerfile if head_is("FROM ") => return Some(Context::Negative),
        _ => {}
    }
    if kind == FileKind::Modelfile && (head_is("FROM ") || head_is("ADAPTER ")) {
        return Some(Context::Ollama);
    }
    None
}

/// What a key's class makes of the word: Negative for a dataset or ignored key, the
/// model context (`model`) for a model key when the word inherits it, else nothing.
fn verdict(class: KeyClass, model: Context, inherits: bool) -> Option<Context> {
    match class {
        KeyClass::Dataset | KeyClass::Ignore => Some(Context::Negative),
        KeyClass::Model if inherits => Some(model),
        _ => None,
    }
}

/// What the steps of [`classify_rest`] share about the word.
struct Around<'t, 'v> {
    text: &'t str,
    /// Where the word starts.
    start: usize,
    vocab: &'v DetectVocab,
    /// The context a model key makes: [`Context::Ollama`] inside a call that takes
    /// Ollama names, else [`Context::Model`].
    model: Context,
    /// Whether the word takes the model context of its enclosing calls, containers
    /// and parents: false after a key with a neutral name (`title = …`).
    inherits: bool,
}

/// The rest of [`classify_for`], after the lines that decide alone and the dataset
/// statement: keys, commands, enclosing calls and containers, YAML and TOML parents,
/// asked in that order; the first that decides gives the context.
fn classify_rest(
    text: &str,
    start: usize,
    kind: FileKind,
    vocab: &DetectVocab,
    brackets: &mut Brackets,
    line_start: usize,
    encl: &[(KeyKind, &str, usize)],
) -> Context {
    let call = encl.iter().find(|(what, _, _)| *what == KeyKind::Call);
    let call_info = call.map(|(_, name, pos)| brackets.named(*pos, || call_class(vocab, name)));
    // Every argument of a dataset loader names data, whatever its key
    // (`LoadDataFromHub(repo_id="argilla/prompts")`).
    if call_info.is_some_and(|(class, _)| class == KeyClass::Dataset) {
        return Context::Negative;
    }
    // The arguments of a call that formats or prints text are words of a message.
    if call.is_some_and(|(_, name, _)| {
        let last = name.rsplit('.').next().unwrap_or(name);
        vocab
            .text_calls
            .iter()
            .any(|t| t.eq_ignore_ascii_case(last))
    }) {
        return Context::Neutral;
    }
    let ollama_call = call_info.is_some_and(|(_, ollama)| ollama);
    let model = if ollama_call {
        Context::Ollama
    } else {
        Context::Model
    };

    let prefix = slice(text, line_start, start);
    let key = direct_key(text, line_start, start);
    // A key with a neutral name (`title`, `provider`, `api_key`) is not the model its
    // parent list or call is about; a few names (`name`, `id`, `path`) still are.
    let mut inherits = true;
    if let Some(key) = &key {
        let (class, inherit) = brackets.key_info(vocab, key);
        if let Some(ctx) = verdict(class, model, true) {
            return ctx;
        }
        inherits = inherit;
    }
    if let Some(ctx) = command_context(vocab, &continued_prefix(text, line_start, prefix)) {
        return ctx;
    }
    let around = Around {
        text,
        start,
        vocab,
        model,
        inherits,
    };
    enclosing_context(&around, brackets, encl)
        .or_else(|| parents_context(&around, brackets, kind, line_start))
        .unwrap_or(Context::Neutral)
}

/// The enclosing calls and containers, nearest first: the innermost call is read
/// closely ([`innermost_call`]); outer calls matter only when they make no model of
/// what they hold (`register_conv_template(Conversation(name="llama-3"))`).
fn enclosing_context(
    w: &Around,
    brackets: &mut Brackets,
    encl: &[(KeyKind, &str, usize)],
) -> Option<Context> {
    let mut seen_call = false;
    for (what, name, pos) in encl {
        let class = match what {
            KeyKind::Call if seen_call => {
                if brackets.named(*pos, || call_class(w.vocab, name)).0 == KeyClass::Ignore {
                    return Some(Context::Negative);
                }
                continue;
            }
            KeyKind::Call => {
                seen_call = true;
                if let Some(ctx) = innermost_call(w, brackets, name, *pos) {
                    return Some(ctx);
                }
                continue;
            }
            KeyKind::Container => {
                brackets
                    .named(*pos, || (classify_key(w.vocab, name), false))
                    .0
            }
        };
        if let Some(ctx) = verdict(class, w.model, w.inherits) {
            return Some(ctx);
        }
    }
    None
}

/// The innermost call around the word (`name(` at `pos`): a flag among its earlier
/// arguments, then the call's own name, then an earlier quoted argument that names a
/// model key.
fn innermost_call(w: &Around, brackets: &mut Brackets, name: &str, pos: usize) -> Option<Context> {
    let args = slice(w.text, pos + 1, w.start);
    // `add_argument("--output_dir", default="org/x")`: the flag names the value.
    let flag = args
        .split(['"', '\''])
        .skip(1)
        .step_by(2)
        .filter(|q| q.starts_with("--"))
        .last();
    if let Some(flag) = flag
        && let Some(ctx) = verdict(brackets.key_class(w.vocab, flag), w.model, true)
    {
        return Some(ctx);
    }
    if !w.inherits {
        return None;
    }
    let c = brackets.named(pos, || call_class(w.vocab, name)).0;
    // `os.environ.get("MODEL_ID", "org/name")`: an earlier quoted argument on
    // the same line names a model key.
    if c == KeyClass::Neutral && !name.is_empty() && !args.contains('\n') {
        let quoted_key = args.split(['"', '\'']).skip(1).step_by(2).any(|q| {
            let q = q.to_ascii_lowercase();
            !q.contains(' ') && w.vocab.model_key_contains.iter().any(|k| has(&q, k))
        });
        if quoted_key {
            return Some(w.model);
        }
    }
    verdict(c, w.model, w.inherits)
}

/// YAML (and Markdown front matter) parents and TOML tables above the line.
fn parents_context(
    w: &Around,
    brackets: &mut Brackets,
    kind: FileKind,
    line_start: usize,
) -> Option<Context> {
    let parents = match kind {
        FileKind::Yaml | FileKind::Markdown => yaml_parents(w.text, line_start),
        FileKind::Toml => toml_table(w.text, line_start),
        _ => Vec::new(),
    };
    parents
        .iter()
        .find_map(|p| verdict(brackets.key_class(w.vocab, p), w.model, w.inherits))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Asked only for a model context, the classifier gives the same answer as
        /// the exact one wherever that answer is a model context, and none elsewhere.
        #[test]
        fn model_only_agrees_on_model_contexts(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("from_pretrained("), Just("hf_hub_download("), Just("load_dataset("),
                    Just("\"acme/x\""), Just("acme/y"), Just("repo_type=\"dataset\""),
                    Just("repo-type space"), Just(", "), Just(")"), Just("\n"), Just("model: "),
                    Just("dataset: "), Just("ollama pull "), Just("  - "), Just("[\n"), Just("{"),
                    Just("}"), Just("MODEL_ID="), Just("--model "), Just(" && "), Just("; "),
                    Just("import x\n"), Just("FROM "), Just("title = "),
                ],
                0..14,
            ),
            kind in prop_oneof![
                Just(FileKind::Python), Just(FileKind::Yaml), Just(FileKind::Shell),
                Just(FileKind::Json), Just(FileKind::Modelfile), Just(FileKind::Dockerfile),
            ],
        ) {
            let text: String = parts.concat();
            let vocab = &crate::kb::KnowledgeBase::builtin_for_tests().vocab;
            let mut at = 0;
            while let Some(p) = text[at..].find("acme/") {
                let start = at + p;
                let end = start + 6;
                let exact = classify_at(&text, start, end, kind, vocab, &mut Brackets::new());
                let model =
                    classify_for(&text, start, end, kind, vocab, &mut Brackets::new(), Want::Model);
                let is_model = |c: Context| matches!(c, Context::Model | Context::Ollama);
                prop_assert_eq!(is_model(model), is_model(exact), "{:?} at {}", text, start);
                if is_model(exact) {
                    prop_assert_eq!(model, exact);
                }
                at = end;
            }
        }
    }
}
