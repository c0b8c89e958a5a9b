//! Differential property test: a document edited incrementally holds exactly the
//! references of a fresh scan of its final text, for every file kind, with edits that
//! land anywhere (inside words, across lines, inside emoji and CJK, on CRLF, splitting
//! a CRLF, on lone CRs).

use fineprint::detect::{FileKind, detect};
use fineprint::document::Document;
use fineprint::kb::KnowledgeBase;
use proptest::prelude::*;
use std::sync::OnceLock;

fn kb() -> &'static KnowledgeBase {
    static KB: OnceLock<KnowledgeBase> = OnceLock::new();
    KB.get_or_init(|| KnowledgeBase::builtin().unwrap_or_else(|e| panic!("{e}")))
}

/// Fragments that exercise contexts: ids, keys, calls, datasets, YAML and TOML structure.
const FRAGMENTS: &[&str] = &[
    "meta-llama/Llama-3.1-8B-Instruct",
    "acme-ai/bot-7b",
    "black-forest-labs/FLUX.1-dev",
    "Qwen/Qwen2.5-3B-Instruct",
    "qwen2.5:7b",
    "llama3.1",
    "gpt-4o",
    "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf",
    "https://huggingface.co/org/x",
    "from_pretrained(",
    "load_dataset(",
    ")",
    "(",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    "model=",
    "model: ",
    "base_model: ",
    "datasets:",
    "  - ",
    "- ",
    "MODEL_ID=",
    "--model ",
    "repo_type=\"dataset\"",
    "[model]",
    "[[datasets]]",
    "name = ",
    "FROM ",
    "ollama pull ",
    "\\\n",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    " ",
    "  ",
    ", ",
    "😀",
    "日本語",
    "é",
    "# ",
    "x = ",
    // Library calls read their arguments up to calls::WINDOW bytes on.
    "pipeline(",
    "\"text-classification\"",
    "ChatOpenAI(",
    "whisper.load_model(",
    "\"large-v3\"",
    // Markdown code fences change the kind of every line below them.
    "```",
    "```dockerfile\n",
    "~~~python\n",
];

/// Large fillers, so that the re-scan window is smaller than the text: many short
/// lines (past the YAML/TOML parent limit) and one long line (past the byte limits).
fn filler(i: usize) -> String {
    match i % 4 {
        0 => "a: 1\n".repeat(350),
        1 => format!("{}\n", "x".repeat(2500)),
        2 => "    pass\n".repeat(40),
        // Lines that end at a lone `\r`: lines of the index, not of the detector.
        3 => "a: 1\r".repeat(350),
        // Longer than a re-scan window, in short words (a call's arguments).
        _ => format!("{}\n", "y, ".repeat(3000)),
    }
}

fn text_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(prop_oneof![8 => prop::sample::select(FRAGMENTS).prop_map(str::to_string), 1 => (0usize..5).prop_map(filler)], 0..60)
        .prop_map(|v| v.concat())
}

fn insert_strategy() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..8).prop_map(|v| v.concat())
}

fn edit_strategy() -> impl Strategy<Value = (usize, usize, String)> {
    (0usize..20_000, 0usize..40, insert_strategy())
}

const KINDS: &[FileKind] = &[
    FileKind::Python,
    FileKind::Yaml,
    FileKind::Toml,
    FileKind::Markdown,
    FileKind::Json,
    FileKind::Env,
    FileKind::Shell,
    FileKind::Modelfile,
    FileKind::Dockerfile,
    FileKind::JavaScript,
    FileKind::Notebook,
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn incremental_equals_fresh(kind in prop::sample::select(KINDS), initial in text_strategy(), edits in prop::collection::vec(edit_strategy(), 1..12)) {
        let kb = kb();
        let mut doc = Document::new(initial, Some(kind), kb);
        for (at, len, ins) in edits {
            let start = at % (doc.text.len() + 1);
            let end = (start + len).min(doc.text.len());
            doc.edit(start..end, &ins, kb);
            let fresh = detect(&doc.text, kind, kb);
            prop_assert_eq!(&doc.refs, &fresh, "kind {:?}, text {:?}", kind, doc.text);
            // `\r\n`, `\n` and a lone `\r` each end a line.
            let lines = doc.text.replace("\r\n", "\n").split(['\n', '\r']).count();
            prop_assert_eq!(doc.index.line_count(), lines);
        }
    }

    /// Edits applied to the text alone and analysed together (as the language server
    /// does with a burst of `didChange`), in batches of random sizes: after each
    /// batch's one analysis, the references equal a fresh scan.
    #[test]
    fn coalesced_edits_equal_fresh(kind in prop::sample::select(KINDS), initial in text_strategy(), edits in prop::collection::vec((edit_strategy(), any::<bool>()), 1..16)) {
        let kb = kb();
        let mut doc = Document::new(initial, Some(kind), kb);
        let last = edits.len() - 1;
        for (i, ((at, len, ins), analyse_now)) in edits.into_iter().enumerate() {
            let start = at % (doc.text.len() + 1);
            let end = (start + len).min(doc.text.len());
            doc.apply(start..end, &ins);
            if analyse_now || i == last {
                doc.analyse(kb);
                prop_assert!(doc.is_analysed());
                let fresh = detect(&doc.text, kind, kb);
                prop_assert_eq!(&doc.refs, &fresh, "kind {:?}, text {:?}", kind, doc.text);
            }
        }
        let lines = doc.text.replace("\r\n", "\n").split(['\n', '\r']).count();
        prop_assert_eq!(doc.index.line_count(), lines);
    }
}

/// Edits whose effect reaches further than a word's own context: each changes what a
/// fresh scan reports far from the edit, and the incremental result must follow.
#[test]
fn edits_with_far_effects() {
    // Longer than a word's forward context, shorter than a call's argument window.
    let long_args = "x,\n".repeat(300);
    // More lines than a Markdown parent context, more bytes than a backward context.
    let lines = "some text\n".repeat(500);
    // (kind, text before, the text edited out, its replacement)
    let cases: Vec<(FileKind, String, &str, &str)> = vec![
        // A library call's default model depends on a keyword far into its arguments.
        (
            FileKind::Python,
            format!("p = pipeline(\"text-classification\", {long_args}model=\"acme/x\")\n"),
            "model=\"acme/x\"",
            "",
        ),
        (
            FileKind::Python,
            format!("p = pipeline(\"text-classification\", {long_args})\n"),
            ")",
            "model=\"acme/x\")",
        ),
        // Opening or closing a code fence changes the kind of every line below it.
        (
            FileKind::Markdown,
            format!("```dockerfile\n{lines}FROM ollama/ollama\n```\n"),
            "```dockerfile\n",
            "",
        ),
        (
            FileKind::Markdown,
            format!("intro\n{lines}FROM ollama/ollama\n"),
            "intro\n",
            "```dockerfile\n",
        ),
        // A base URL decides whether every closed API name after it is an alias of a
        // local server's model: setting it, making it public, removing it.
        (
            FileKind::Python,
            format!("c = OpenAI()\n{lines}c.create(model=\"gpt-4o\")\n"),
            "OpenAI()",
            "OpenAI(base_url=\"http://localhost:8000/v1\")",
        ),
        (
            FileKind::Python,
            format!("c = OpenAI(base_url=\"http://localhost:8000/v1\")\n{lines}m = \"gpt-4o\"\n"),
            "localhost:8000",
            "api.openai.com",
        ),
        (
            FileKind::Markdown,
            format!("OPENAI_BASE_URL=http://localhost:1234/v1\n{lines}## Cohere\nuse `gpt-4o`\n"),
            "## Cohere\n",
            "",
        ),
    ];
    let kb = kb();
    for (kind, text, cut, put) in cases {
        let Some(at) = text.find(cut) else {
            panic!("case text lacks {cut:?}")
        };
        let mut doc = Document::new(text.clone(), Some(kind), kb);
        let before: Vec<String> = doc.refs.iter().map(|r| r.id.clone()).collect();
        doc.edit(at..at + cut.len(), put, kb);
        let fresh = detect(&doc.text, kind, kb);
        assert_eq!(doc.refs, fresh, "{kind:?}: edit {cut:?} -> {put:?}");
        let after: Vec<String> = fresh.iter().map(|r| r.id.clone()).collect();
        assert_ne!(
            before, after,
            "{kind:?}: the edit {cut:?} -> {put:?} changes nothing"
        );
    }
}
