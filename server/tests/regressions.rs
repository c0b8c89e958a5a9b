//! Inputs found by fuzzing (`fuzz/`, `scripts/fuzz.sh`), and inputs of the same
//! families written by hand: each row runs the check of its fuzz target, so a crash
//! once found stays fixed. Add a row for every crash the fuzzers find (the input, as
//! bytes, from `target/fuzz/artifacts/<target>/`).

use std::path::Path;

use fineprint::detect::{FileKind, detect};
use fineprint::document::Document;
use fineprint::kb::{KnowledgeBase, embedded_files};
use fineprint::policy::Policy;

fn kb() -> KnowledgeBase {
    KnowledgeBase::builtin().expect("built-in rules load")
}

/// `detect`: every kind, spans in bounds, on character boundaries, in order.
const DETECT: &[&[u8]] = &[
    b"",
    b"\\",
    b"${MODEL:-",
    b"${MODEL:-:-meta-llama/Llama-3.1-8B}",
    b"https://huggingface.co/",
    b"hf.co/:",
    b"\"source\": [\"\\",
    b"{\"cells\": [{\"source\": \"meta-llama/Llama-3.1-8B",
    b"model=\xf0\x9f\x98\x80/\xe6\x97\xa5.gguf",
    b"FROM qwen2.5:7b\nADAPTER ./x.gguf\n",
    b"a.gguf.gguf .gguf ..gguf",
];

#[test]
fn detect_rows() {
    let kb = kb();
    for data in DETECT {
        let text = String::from_utf8_lossy(data);
        for kind in FileKind::ALL {
            let refs = detect(&text, kind, &kb);
            let mut last = 0;
            for r in &refs {
                assert!(
                    r.span.start < r.span.end && r.span.end <= text.len(),
                    "{data:?} {kind:?} {r:?}"
                );
                assert!(text.is_char_boundary(r.span.start) && text.is_char_boundary(r.span.end));
                assert!(r.span.start >= last, "{data:?} {kind:?} overlap");
                assert_eq!(&text[r.span.clone()], r.text);
                last = r.span.end;
            }
        }
    }
}

/// `policy`: a policy or an error at a line of the text.
const POLICY: &[&str] = &[
    "",
    "use = ",
    "[[exceptions]]\n",
    "[tool.fineprint]\nuse = 1\n",
    "deny = [\"\"]\n",
    "allow = [\"[\"]\n",
    "[severity]\n\"\" = \"off\"\n",
    "monthly_active_users = 18446744073709551616\n",
];

#[test]
fn policy_rows() {
    let kb = kb();
    for text in POLICY {
        let lines = text.split('\n').count();
        for r in [
            Policy::parse(text, Path::new("fineprint.toml"), &kb).map(|_| ()),
            Policy::parse_pyproject(text, Path::new("pyproject.toml"), &kb).map(|_| ()),
        ] {
            if let Err(e) = r {
                assert!(e.line >= 1 && e.line <= lines, "{text:?}: {e}");
            }
        }
    }
}

/// `rules`: the embedded base plus one file under `models/` (`false`) or `licenses/`.
const RULES: &[(bool, &str)] = &[
    (false, ""),
    (false, "[[family]]\n"),
    (true, "id = \"\"\n"),
    (
        false,
        "[[family]]\nid = \"x\"\nlicense = \"apache-2.0\"\nhf = [\"[\"]\n",
    ),
];

#[test]
fn rules_rows() {
    for (licenses, text) in RULES {
        let dir = if *licenses { "licenses" } else { "models" };
        let mut files: Vec<(String, String)> = embedded_files()
            .iter()
            .map(|(p, t)| ((*p).to_string(), (*t).to_string()))
            .collect();
        files.push((format!("extra/{dir}/fuzz.toml"), (*text).to_string()));
        match KnowledgeBase::from_files(files) {
            Ok(kb) => {
                let _ = detect("m = \"meta-llama/Llama-3.1-8B\"", FileKind::Python, &kb);
            }
            Err(e) => assert!(!e.0.is_empty(), "{text:?}"),
        }
    }
}

/// `lsp_edits`: (kind, text, edits as (start, end, text)); after each edit the
/// document's references equal a fresh scan.
type EditRow = (
    Option<FileKind>,
    &'static str,
    &'static [(usize, usize, &'static str)],
);
const EDITS: &[EditRow] = &[
    (Some(FileKind::Python), "", &[(5, 2, "x"), (0, 99, "")]),
    (
        Some(FileKind::Python),
        "é",
        &[(1, 1, "meta-llama/Llama-3.1-8B")],
    ),
    (
        Some(FileKind::Yaml),
        "base_model: meta-llama/Llama-3.1-8B\n",
        &[(0, 4, ""), (0, 0, "base")],
    ),
    (
        Some(FileKind::Notebook),
        "{\"cells\": [{\"source\": [\"x\"]}]}",
        &[(24, 25, "qwen2.5:7b")],
    ),
    (None, "x", &[(0, 1, "y")]),
];

#[test]
fn lsp_edits_rows() {
    let kb = kb();
    for (kind, text, edits) in EDITS {
        let mut doc = Document::new((*text).to_string(), *kind, &kb);
        for (s, e, t) in *edits {
            doc.edit(*s..*e, t, &kb);
            let fresh = kind.map_or_else(Vec::new, |k| detect(&doc.text, k, &kb));
            assert_eq!(doc.refs, fresh, "{text:?} after {s}..{e} {t:?}");
        }
    }
}

/// `transport`: the framing filter's decision never panics.
const TRANSPORT: &[&[u8]] = &[
    b"",
    b"{",
    b"[]",
    b"{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"x\"}",
    b"{\"jsonrpc\":\"2.0\",\"id\":null}",
    b"\xff",
];

#[test]
fn transport_rows() {
    for body in TRANSPORT {
        let _ = fineprint::lsp::transport::acceptable(body);
    }
    // 100,000 levels of nesting: rejected by the recursion limit, without a stack overflow.
    let deep = format!(
        "{{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":{}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(!fineprint::lsp::transport::acceptable(deep.as_bytes()));
}

/// A large file without its bytes in memory: `head`, then `tail` repeated up to `len`
/// bytes. Records how far it was read and sought (as the `gguf` fuzz target does).
struct Periodic {
    head: Vec<u8>,
    tail: Vec<u8>,
    len: u64,
    pos: u64,
    furthest_read: u64,
    furthest_seek: u64,
    bytes_read: u64,
}

impl std::io::Read for Periodic {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = usize::try_from(self.len.saturating_sub(self.pos).min(buf.len() as u64))
            .expect("a buffer length");
        for (i, b) in buf[..n].iter_mut().enumerate() {
            let at = self.pos as usize + i;
            *b = match self.head.get(at) {
                Some(&b) => b,
                None => self.tail[(at - self.head.len()) % self.tail.len()],
            };
        }
        self.pos += n as u64;
        self.bytes_read += n as u64;
        self.furthest_read = self.furthest_read.max(self.pos);
        Ok(n)
    }
}

impl std::io::Seek for Periodic {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        let to = match to {
            std::io::SeekFrom::Start(p) => Some(p),
            std::io::SeekFrom::End(d) => self.len.checked_add_signed(d),
            std::io::SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        }
        .ok_or_else(|| std::io::Error::other("seek before the start"))?;
        self.furthest_seek = self.furthest_seek.max(to);
        self.pos = to;
        Ok(to)
    }
}

/// A GGUF v3 header's start: magic, version, tensor count, key-value count.
fn gguf_start(kvs: u64) -> Vec<u8> {
    let mut b = b"GGUF".to_vec();
    b.extend_from_slice(&3u32.to_le_bytes());
    b.extend_from_slice(&0u64.to_le_bytes());
    b.extend_from_slice(&kvs.to_le_bytes());
    b
}

/// A key-value pair with a string value.
fn gguf_kv(key: &str, value: &str) -> Vec<u8> {
    let mut b = (key.len() as u64).to_le_bytes().to_vec();
    b.extend_from_slice(key.as_bytes());
    b.extend_from_slice(&8u32.to_le_bytes());
    b.extend_from_slice(&(value.len() as u64).to_le_bytes());
    b.extend_from_slice(value.as_bytes());
    b
}

/// `gguf`: (what, head, tail, extra length beyond the head, the error expected (or
/// `None` for metadata), the most bytes the reader may take from the file).
type GgufRow = (
    &'static str,
    Vec<u8>,
    Vec<u8>,
    u64,
    Option<&'static str>,
    u64,
);

fn gguf_rows() -> Vec<GgufRow> {
    use fineprint::evidence::gguf::{MAX_SPAN, write_test_header};
    const MIB: u64 = 1 << 20;
    // The token array claims 2^62 strings, in a 65 MiB file of zeros: the reader read
    // 16 MiB of zero-length strings (about 0.2 s optimized, seconds in a debug build)
    // before it stopped; it now fails at once (found by the `gguf` target's seeds).
    let mut huge_strings = write_test_header(&[], 0);
    let at = huge_strings.len() - 8;
    huge_strings[at..].copy_from_slice(&(1u64 << 62).to_le_bytes());
    // The same with arrays of arrays, and with 2^62 key-value pairs.
    let mut huge_arrays = gguf_start(1);
    huge_arrays.extend_from_slice(&1u64.to_le_bytes());
    huge_arrays.push(b'a');
    huge_arrays.extend_from_slice(&9u32.to_le_bytes());
    huge_arrays.extend_from_slice(&9u32.to_le_bytes());
    huge_arrays.extend_from_slice(&(1u64 << 62).to_le_bytes());
    let huge_kvs = gguf_start(1 << 62);
    // A byte array skipped up to 1 KiB before MAX_SPAN, then 2^20 `general.*` string
    // pairs, all read, none skipped: the reader read on to 80 MiB (MAX_SPAN is checked
    // on skips only) until MAX_READ stopped it; it now stops at MAX_SPAN.
    let record = gguf_kv("general.k", "v");
    let mut past_span = gguf_start(1 << 20);
    past_span.extend_from_slice(&1u64.to_le_bytes());
    past_span.push(b'a');
    past_span.extend_from_slice(&9u32.to_le_bytes());
    past_span.extend_from_slice(&0u32.to_le_bytes());
    let skip_to = past_span.len() as u64 + 8;
    let n = (MAX_SPAN - 1024 - skip_to) / record.len() as u64 * record.len() as u64;
    past_span.extend_from_slice(&n.to_le_bytes());
    let card = write_test_header(&[("general.license", "llama3.1")], 100);
    vec![
        (
            "2^62 strings",
            huge_strings,
            vec![0],
            65 * MIB,
            Some("truncated"),
            64 << 10,
        ),
        (
            "2^62 arrays",
            huge_arrays,
            vec![0],
            65 * MIB,
            Some("truncated"),
            64 << 10,
        ),
        (
            "2^62 pairs",
            huge_kvs,
            vec![0],
            65 * MIB,
            Some("truncated"),
            64 << 10,
        ),
        (
            "read past MAX_SPAN",
            past_span,
            record,
            100 * MIB,
            Some("runs past"),
            128 << 10,
        ),
        (
            "a header in a large file",
            card,
            vec![0],
            65 * MIB,
            None,
            64 << 10,
        ),
    ]
}

#[test]
fn gguf_rows_are_bounded() {
    use fineprint::evidence::gguf::{MAX_SPAN, read_header};
    let mut failures = Vec::new();
    for (what, head, tail, extra, want, most) in gguf_rows() {
        let len = head.len() as u64 + extra;
        let mut f = Periodic {
            head,
            tail,
            len,
            pos: 0,
            furthest_read: 0,
            furthest_seek: 0,
            bytes_read: 0,
        };
        let result = read_header(&mut f, len);
        if f.furthest_seek > MAX_SPAN.min(len) {
            failures.push(format!("{what}: sought to {}", f.furthest_seek));
        }
        if f.furthest_read > MAX_SPAN + (64 << 10) {
            failures.push(format!("{what}: read up to byte {}", f.furthest_read));
        }
        if f.bytes_read > most {
            failures.push(format!("{what}: read {} bytes", f.bytes_read));
        }
        match (result, want) {
            (Err(e), Some(w)) if e.contains(w) => {}
            (Ok(m), None) if m.get("general.license") == Some("llama3.1") => {}
            (r, _) => failures.push(format!("{what}: {r:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `front_matter`: nothing after the closing line is read, an unclosed front matter
/// gives nothing, and values are trimmed, non-empty and (licenses) lower case.
const FRONT_MATTER: &[&str] = &[
    "---",
    "---\n",
    "---\n---\n",
    "\u{feff}---\r\nlicense: \"\r\n---\r\n",
    "---\nlicense: '\n---\n",
    "---\nlicense: \"\"\nbase_model: []\n---\n",
    "---\nbase_model: [ , '', \" \" ]\n---\n",
    "---\n- license: mit\n  license: mit\n---\n",
    "---\nlicense:\u{a0}MIT\u{a0}\n---\n",
    "---\nlicense: MIT #\n...\n",
    "---\nbase_model:\n-\n- \n- a/b\n---\n",
];

#[test]
fn front_matter_rows() {
    use fineprint::evidence::front_matter::parse;
    for text in FRONT_MATTER {
        let text = format!("{text}\n");
        match parse(&text) {
            Some(m) => {
                let more = format!("{text}license: gpl-3.0\nbase_model: x/y\n---\n");
                assert_eq!(parse(&more).as_ref(), Some(&m), "{text:?}");
                for v in [&m.license, &m.license_name, &m.license_link]
                    .into_iter()
                    .flatten()
                    .chain(&m.base_model)
                {
                    assert!(!v.is_empty() && v.trim() == v, "{text:?}: {m:?}");
                }
                assert!(
                    !m.license
                        .iter()
                        .any(|l| l.bytes().any(|b| b.is_ascii_uppercase())),
                    "{text:?}: {m:?}"
                );
            }
            None => {
                let body = text.strip_prefix('\u{feff}').unwrap_or(&text);
                if body.lines().next().is_some_and(|l| l.trim_end() == "---") {
                    assert!(parse(&format!("{text}---\n")).is_some(), "{text:?}");
                }
            }
        }
    }
}

/// `ollama_manifest`: a name gives no path, or one inside `ROOT/manifests` made of
/// plain parts.
const OLLAMA_NAMES: &[&str] = &[
    "..",
    "..:..",
    "x:..",
    "a/./b",
    "a//b",
    "/abs",
    "hf.co/../x:y",
    "host.x/a/b/../c:d",
    "C:\\x",
    "model:tag:other",
    "host.x/a:",
    ".:.",
];

#[test]
fn ollama_manifest_rows() {
    use fineprint::evidence::ollama::manifest_path;
    use std::path::Component;
    let root = Path::new("/store/models");
    for name in OLLAMA_NAMES {
        if let Some(p) = manifest_path(root, name) {
            let rest = p
                .strip_prefix(root.join("manifests"))
                .unwrap_or_else(|_| panic!("{name:?} -> {p:?}"));
            assert!(
                rest.components()
                    .all(|c| matches!(c, Component::Normal(s) if s != ".." && s != ".")),
                "{name:?} -> {p:?}"
            );
            assert!(rest.components().count() >= 4, "{name:?} -> {p:?}");
        }
    }
}
