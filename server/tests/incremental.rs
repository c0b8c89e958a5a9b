//! Differential property test: a document edited incrementally holds exactly the
//! references of a fresh scan of its final text, for every file kind, with edits that
//! land anywhere (inside words, across lines, inside emoji and CJK, on CRLF, splitting
//! a CRLF, on lone CRs).

mod blob;

use fineprint::detect::{FileKind, detect};
use fineprint::document::Document;
use fineprint::kb::KnowledgeBase;
use fineprint::text::{Encoding, LineIndex, rope_offset};
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
    // Base URLs: whether closed API names after them are a local server's aliases.
    "base_url=\"http://localhost:8000/v1\"",
    "OPENAI_API_BASE=http://",
    "localhost",
    "api.openai.com",
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
            let start = at % (doc.rope().len_bytes() + 1);
            let end = (start + len).min(doc.rope().len_bytes());
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
            // The text waiting for analysis is the rope's.
            let start = at % (doc.rope().len_bytes() + 1);
            let end = (start + len).min(doc.rope().len_bytes());
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

/// A prefix longer than the context the detector reads before a re-scan window (YAML
/// parents, words' contexts, calls), so that the text read from the rope for an edit
/// after it starts inside the text, not at its start.
fn long_prefix() -> String {
    let mut s = String::new();
    let mut i = 0;
    while s.len() < 90_000 {
        s.push_str(&filler(i));
        s.push_str(FRAGMENTS[(i * 7) % FRAGMENTS.len()]);
        s.push_str(FRAGMENTS[(i * 11 + 3) % FRAGMENTS.len()]);
        i += 1;
    }
    s
}

const LINE_PARTS: &[&str] = &[
    "a",
    "bc",
    "\n",
    "\r\n",
    "\r",
    "😀",
    "日本",
    "é",
    " ",
    "gpt-4o",
    "\"acme/x\"",
];

fn units_of(i: usize) -> Encoding {
    [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32][i % 3]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Edits after a long prefix: the analysis reads a part of the rope (the window and
    /// its context), and its references still equal a fresh scan's.
    #[test]
    fn edits_after_a_long_prefix_equal_fresh(kind in prop::sample::select(KINDS), tail in text_strategy(), edits in prop::collection::vec((edit_strategy(), any::<bool>()), 1..6)) {
        let kb = kb();
        let prefix = long_prefix();
        let mut doc = Document::new(format!("{prefix}{tail}"), Some(kind), kb);
        let last = edits.len() - 1;
        for (i, ((at, len, ins), analyse_now)) in edits.into_iter().enumerate() {
            // From 2,000 bytes before the end of the prefix to the end of the text
            // (deletions may have shortened it).
            let len_now = doc.rope().len_bytes();
            let base = (prefix.len() - 2_000).min(len_now);
            let start = base + at % (len_now - base + 1);
            let end = (start + len).min(doc.rope().len_bytes());
            doc.apply(start..end, &ins);
            if analyse_now || i == last {
                doc.analyse(kb);
                let fresh = detect(&doc.text, kind, kb);
                prop_assert_eq!(&doc.refs, &fresh, "kind {:?}, tail {:?}", kind, doc.text.get(prefix.len() - 2_000..));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Edits given as protocol positions (line and column in UTF-8, UTF-16 or UTF-32
    /// units) over `\n`, `\r\n`, lone `\r` and surrogate pairs: converted on the
    /// document's rope and on a `String` with its line index, the offsets agree, and
    /// so do the texts after every edit; after an analysis the document's flat text
    /// and line index equal fresh ones.
    #[test]
    fn rope_edits_equal_string_edits(
        parts in prop::collection::vec(prop::sample::select(LINE_PARTS), 0..80),
        edits in prop::collection::vec(
            ((0usize..30, 0usize..12), (0usize..30, 0usize..12), 0usize..3,
             prop::sample::select(vec!["", "x", "\n", "\r", "\r\n", "😀", "\r\n😀\r", "日"])),
            1..12),
        analyse_every in 1usize..4,
    ) {
        let kb = kb();
        let mut s: String = parts.concat();
        let mut doc = Document::new(s.clone(), Some(FileKind::Python), kb);
        for (i, ((l1, c1), (l2, c2), enc, ins)) in edits.into_iter().enumerate() {
            let enc = units_of(enc);
            let index = LineIndex::new(&s);
            let (a, b) = (index.offset(&s, l1, c1, enc), index.offset(&s, l2, c2, enc));
            let (ra, rb) = (rope_offset(doc.rope(), l1, c1, enc), rope_offset(doc.rope(), l2, c2, enc));
            prop_assert_eq!((ra, rb), (a, b), "{:?}: {}:{} and {}:{} in {:?}", enc, l1, c1, l2, c2, s);
            let (a, b) = (a.min(b), a.max(b));
            s.replace_range(a..b, ins);
            doc.apply(a..b, ins);
            prop_assert_eq!(doc.current_text(), s.clone());
            if i % analyse_every == 0 {
                doc.analyse(kb);
                prop_assert_eq!(doc.text.as_str(), s.as_str());
                let fresh = LineIndex::new(&s);
                prop_assert_eq!(doc.index.line_count(), fresh.line_count());
                for line in 0..=fresh.line_count() {
                    prop_assert_eq!(doc.index.line_start(line), fresh.line_start(line));
                }
                prop_assert_eq!(&doc.refs, &detect(&s, FileKind::Python, kb));
            }
        }
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
    // A YAML list longer than the window an edit re-scans (so the parent key lies
    // before it, in the context read from the rope) and shorter than the 300 lines a
    // parent is looked for.
    let children = "  - an-item-of-the-list-that-is-not-a-model\n".repeat(250);
    // (kind, text before, the text edited out, its replacement)
    let cases: Vec<(FileKind, String, &str, &str)> = vec![
        // A model under a parent key 11 KB above it.
        (
            FileKind::Yaml,
            format!("base_model:\n{children}  - END\n"),
            "END",
            "acme-ai/bot-7b",
        ),
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

/// Pieces of one long line (no line end): model ids, library calls, keys, quotes and
/// brackets, and runs of base64 between them (a data blob with code around it).
const LINE_PIECES: &[&str] = &[
    "meta-llama/Llama-3.1-8B-Instruct",
    "\"acme-ai/bot-7b\"",
    "'Qwen/Qwen2.5-3B-Instruct'",
    "qwen2.5:7b",
    "gpt-4o",
    "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf",
    "from_pretrained(",
    "pipeline(",
    "\"text-classification\"",
    "whisper.load_model(",
    "\"large-v3\"",
    "load_dataset(",
    "repo_type=\"dataset\"",
    "model=",
    "model: ",
    "\"model\": ",
    "MODEL_ID=",
    "--model ",
    "base_url=\"http://localhost:8000/v1\"",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    ", ",
    " ",
    "\\",
    "\\\"",
    "+",
    "😀",
    "日本語",
];

/// A long run of base64 (deterministic), of `n` bytes.
fn base64(n: usize, seed: u64) -> String {
    blob::base64(n, seed)
}

/// One line of about `len` bytes: `pieces` spread along it between runs of base64.
fn long_line(pieces: &[&str], len: usize, seed: u64) -> String {
    let mut s = String::new();
    let mut i = 0;
    while s.len() < len {
        s.push_str(&base64(40 + (i * 37) % 400, seed + i as u64));
        s.push_str(pieces[(i * 7 + seed as usize) % pieces.len()]);
        i += 1;
    }
    s
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random edits inside a line of 40 KB (ids, calls, quotes and brackets spread
    /// along it), one at a time or coalesced: the window re-scanned lies inside the
    /// line, and the references equal a fresh scan's.
    #[test]
    fn edits_inside_a_long_line_equal_fresh(
        kind in prop::sample::select(KINDS),
        pieces in prop::collection::vec(prop::sample::select(LINE_PIECES), 20..80),
        seed in 0u64..1_000,
        edits in prop::collection::vec(
            ((0usize..40_000, 0usize..30, prop::collection::vec(prop::sample::select(LINE_PIECES), 0..4)), any::<bool>()),
            1..8),
    ) {
        let kb = kb();
        let line = long_line(&pieces, 40_000, seed);
        let text = format!("base_model: x\nmodel = \"gpt-4o\"\n{line}\ny: acme-ai/bot-7b\n");
        let mut doc = Document::new(text, Some(kind), kb);
        let last = edits.len() - 1;
        for (i, ((at, len, ins), analyse_now)) in edits.into_iter().enumerate() {
            let len_now = doc.rope().len_bytes();
            let start = (31 + at).min(len_now);
            let end = (start + len).min(len_now);
            doc.apply(start..end, &ins.concat());
            if analyse_now || i == last {
                doc.analyse(kb);
                let fresh = detect(&doc.text, kind, kb);
                prop_assert_eq!(&doc.refs, &fresh, "kind {:?}, seed {}", kind, seed);
            }
        }
    }
}

/// Edits inside a long line whose effect reaches as far along the line as the
/// detector reads: each changes what a fresh scan reports far from the edit (so the
/// test fails when the window or the text read around it is cut too close to the edit:
/// shrink `REACH_ON`, `REACH_BACK` or `CALL_REACH` in `document.rs` to see it).
#[test]
fn edits_inside_a_long_line_with_far_effects() {
    let blob = |n: usize| base64(n, 7);
    // Arguments of a library call, about 1,900 bytes (within calls::WINDOW).
    let args = "y, ".repeat(630);
    // (kind, the line, the text edited out, its replacement)
    let cases: Vec<(FileKind, String, &str, &str)> = vec![
        // A library call's default model depends on a keyword 1.9 KB into its
        // arguments: the call word lies far before the edit.
        (
            FileKind::Python,
            format!(
                "x = \"{}\" + pipeline(\"text-classification\", {args}model=\"acme/x\") + \"{}\"",
                blob(20_000),
                blob(20_000)
            ),
            "model=\"acme/x\"",
            "",
        ),
        (
            FileKind::Python,
            format!(
                "x = \"{}\" + pipeline(\"text-classification\", {args}) + \"{}\"",
                blob(20_000),
                blob(20_000)
            ),
            ") +",
            "model=\"acme/x\") +",
        ),
        // A word's enclosing call lies 1.9 KB before it: renaming the call changes
        // the word's context far after the edit.
        (
            FileKind::Python,
            format!(
                "x = \"{}\" + from_pretrained({args}\"acme-ai/bot-7b\") + \"{}\"",
                blob(20_000),
                blob(20_000)
            ),
            "from_pretrained(",
            "load_dataset(",
        ),
        (
            FileKind::Json,
            format!(
                "{{\"a\": \"{}\", \"b\": from_pretrained({args}\"acme-ai/bot-7b\"), \"c\": \"{}\"}}",
                blob(20_000),
                blob(20_000)
            ),
            "from_pretrained(",
            "load_dataset(",
        ),
        // A dataset statement read forward from the word (SCAN_FORWARD): the word
        // lies before the edit.
        (
            FileKind::Python,
            format!(
                "x = \"{}\"; hf_hub_download(\"acme-ai/bot-7b\", {}repo_type=\"model\"); y = \"{}\"",
                blob(20_000),
                " ".repeat(200),
                blob(20_000)
            ),
            "repo_type=\"model\"",
            "repo_type=\"dataset\"",
        ),
        // A key on the line's start 1 KB before a word of a long YAML line.
        (
            FileKind::Yaml,
            // (The line is longer than the 64 KB of parents read above a line: no
            // line below can take it as a parent.)
            format!(
                "data: {}\nbase_model: [{}, acme-ai/bot-7b, {}]\n",
                blob(20_000),
                "x, ".repeat(300),
                blob(70_000)
            ),
            "base_model",
            "datasets",
        ),
    ];
    let kb = kb();
    for (kind, text, cut, put) in cases {
        let Some(at) = text.find(cut) else {
            panic!("case text lacks {cut:?}")
        };
        let mut doc = Document::new(text.clone(), Some(kind), kb);
        let before: Vec<(usize, String)> = doc
            .refs
            .iter()
            .map(|r| (r.span.start, r.id.clone()))
            .collect();
        let window = doc.edit(at..at + cut.len(), put, kb);
        let fresh = detect(&doc.text, kind, kb);
        assert_eq!(doc.refs, fresh, "{kind:?}: edit {cut:?} -> {put:?}");
        let after: Vec<(usize, String)> =
            fresh.iter().map(|r| (r.span.start, r.id.clone())).collect();
        assert_ne!(
            before, after,
            "{kind:?}: the edit {cut:?} -> {put:?} changes nothing"
        );
        // The window lies inside the long line, far from both of its ends.
        assert!(
            window.len() < 30_000 && doc.last_read().len() < 40_000,
            "{kind:?}: {cut:?}: window {window:?}, read {:?}",
            doc.last_read()
        );
    }
}

/// The work of an edit inside a long line does not grow with the line: after a
/// one-byte edit in the middle of a line of 100 KB and of 1 MB (ids, calls, quotes and
/// brackets along it), the window re-scanned and the text read from the rope around
/// it are the same size (bytes, counted by the document: a ratio, not a time).
#[test]
fn work_per_edit_inside_a_long_line_does_not_grow_with_the_line() {
    let kb = kb();
    for kind in [
        FileKind::Python,
        FileKind::Json,
        FileKind::Yaml,
        FileKind::Toml,
        FileKind::Shell,
    ] {
        let mut sizes = Vec::new();
        for len in [100_000, 1_000_000] {
            let line = long_line(LINE_PIECES, len, 3);
            let text = format!("a = 1\n{line}\nb = 2\n");
            let mut doc = Document::new(text, Some(kind), kb);
            let mid = floor_char(&doc.text, 6 + len / 2);
            let window = doc.edit(mid..mid + 1, "Q", kb);
            let read = doc.last_read();
            assert!(
                read.start <= window.start && window.end <= read.end,
                "{kind:?}"
            );
            // Bounded by the detector's reach (a few KB on each side), not the line.
            assert!(read.len() < 40_000, "{kind:?}, {len} B line: read {read:?}");
            sizes.push((window.len(), read.len()));
            // Still exact.
            assert_eq!(
                doc.refs,
                detect(&doc.text, kind, kb),
                "{kind:?}, {len} B line"
            );
        }
        let (small, large) = (sizes[0], sizes[1]);
        // The same bound at both sizes (within the slack of where a cut falls).
        assert!(
            large.0 <= small.0 + 1_024 && large.1 <= small.1 + 1_024,
            "{kind:?}: 100 KB line {small:?}, 1 MB line {large:?}"
        );
    }
}

/// The start of the character holding byte `i`.
fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
