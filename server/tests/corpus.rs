//! Real-world corpus: detection and license figures on fixtures written after the
//! patterns of public projects (`tests/corpus/`, see its README). Every model reference
//! a person finds in those files is listed in `tests/corpus/expected.toml` with the
//! license its own card gives; known look-alikes are listed as `[[not_ref]]`.
//!
//! The test prints recall, false positives and license accuracy per project kind and
//! per file kind, lists every miss, false positive and wrong license, and fails when a
//! figure drops below its floor. The floors sit a little under the measured figures:
//! raise them when the engine improves, never edit `expected.toml` to fit the tool.
//!
//! Run with `cargo test --test corpus -- --nocapture` to see the report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fineprint::detect::{FileKind, detect};
use fineprint::kb::KnowledgeBase;
use serde::Deserialize;

// Floors, set from the figures measured when the corpus was written (recall 88.7%,
// precision 95.2%, license accuracy 92.3%, 15 known negatives reported) minus a margin.

/// Fraction of expected references found at the right line with the exact text.
const MIN_RECALL: f64 = 0.86;
/// Fraction of reported references that are expected.
const MIN_PRECISION: f64 = 0.93;
/// Fraction of found references whose license id is the expected one.
const MIN_LICENSE_ACCURACY: f64 = 0.90;
/// Reported references that are listed as known negatives.
const MAX_KNOWN_NEGATIVES_FLAGGED: usize = 17;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    #[serde(rename = "ref", default)]
    refs: Vec<ExpectedRef>,
    #[serde(rename = "not_ref", default)]
    not_refs: Vec<NotRef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedRef {
    file: String,
    line: usize,
    text: String,
    license: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NotRef {
    file: String,
    line: usize,
    text: String,
    why: String,
}

/// One reference reported by the detector.
struct Found {
    line: usize,
    text: String,
    license: String,
}

#[derive(Default, Clone, Copy)]
struct Tally {
    expected: usize,
    found: usize,
    false_pos: usize,
    license_ok: usize,
}

impl Tally {
    fn add(&mut self, o: Tally) {
        self.expected += o.expected;
        self.found += o.found;
        self.false_pos += o.false_pos;
        self.license_ok += o.license_ok;
    }
    fn recall(&self) -> f64 {
        ratio(self.found, self.expected)
    }
    fn precision(&self) -> f64 {
        ratio(self.found, self.found + self.false_pos)
    }
    fn license_accuracy(&self) -> f64 {
        ratio(self.license_ok, self.found)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus")
}

fn fixtures(dir: &Path, root: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("readable corpus directory")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            fixtures(&path, root, out);
            continue;
        }
        let rel = path
            .strip_prefix(root)
            .expect("under the corpus root")
            .to_string_lossy()
            .replace('\\', "/");
        if rel != "expected.toml" && rel != "README.md" {
            out.push(rel);
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn line_text(text: &str, line: usize) -> &str {
    text.lines().nth(line.saturating_sub(1)).unwrap_or("")
}

fn pct(x: f64) -> String {
    format!("{:5.1}%", x * 100.0)
}

fn table(title: &str, rows: &BTreeMap<String, Tally>, total: Tally) -> String {
    let mut s = format!(
        "\n{title:<12} {:>5} {:>5} {:>7} {:>4} {:>9} {:>6} {:>9}\n",
        "refs", "found", "recall", "FP", "precision", "lic ok", "lic acc"
    );
    let mut line = |name: &str, t: &Tally| {
        s.push_str(&format!(
            "{name:<12} {:>5} {:>5} {:>7} {:>4} {:>9} {:>6} {:>9}\n",
            t.expected,
            t.found,
            pct(t.recall()),
            t.false_pos,
            pct(t.precision()),
            t.license_ok,
            pct(t.license_accuracy())
        ));
    };
    for (name, t) in rows {
        line(name, t);
    }
    line("overall", &total);
    s
}

#[test]
fn real_world_corpus() {
    let kb = KnowledgeBase::builtin().expect("built-in rules load");
    let root = corpus_dir();
    let expected: Expected = toml::from_str(
        &std::fs::read_to_string(root.join("expected.toml")).expect("tests/corpus/expected.toml"),
    )
    .expect("expected.toml parses");

    let mut files = Vec::new();
    fixtures(&root, &root, &mut files);
    assert!(!files.is_empty(), "no fixtures under tests/corpus");

    let mut problems = Vec::new();
    let mut by_project: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_kind: BTreeMap<String, Tally> = BTreeMap::new();
    let mut total = Tally::default();
    let mut misses = Vec::new();
    let mut false_positives = Vec::new();
    let mut wrong_licenses = Vec::new();
    let mut negatives_flagged = 0;

    for file in &files {
        if !expected.refs.iter().any(|r| &r.file == file)
            && !expected.not_refs.iter().any(|r| &r.file == file)
        {
            problems.push(format!("{file}: fixture has no entry in expected.toml"));
        }
    }
    for (file, line, text) in expected
        .refs
        .iter()
        .map(|r| (&r.file, r.line, &r.text))
        .chain(expected.not_refs.iter().map(|r| (&r.file, r.line, &r.text)))
    {
        match std::fs::read_to_string(root.join(file)) {
            Ok(src) if line_text(&src, line).contains(text.as_str()) => {}
            Ok(_) => problems.push(format!("{file}:{line}: `{text}` is not on that line")),
            Err(e) => problems.push(format!("{file}: {e}")),
        }
    }

    for file in &files {
        let name = file.rsplit('/').next().unwrap_or(file);
        let Some(kind) = FileKind::from_file_name(name) else {
            problems.push(format!("{file}: not a file kind fineprint reads"));
            continue;
        };
        let src = std::fs::read_to_string(root.join(file)).expect("readable fixture");
        let found: Vec<Found> = detect(&src, kind, &kb)
            .into_iter()
            .map(|r| Found {
                line: line_of(&src, r.span.start),
                license: r
                    .resolution
                    .map(|res| res.license(&kb).id.clone())
                    .unwrap_or_else(|| "unknown".to_string()),
                text: r.text,
            })
            .collect();
        let mut used = vec![false; found.len()];
        let mut t = Tally::default();
        for exp in expected.refs.iter().filter(|r| &r.file == file) {
            t.expected += 1;
            let hit = found
                .iter()
                .enumerate()
                .position(|(i, f)| !used[i] && f.line == exp.line && f.text == exp.text);
            match hit {
                Some(i) => {
                    used[i] = true;
                    t.found += 1;
                    if found[i].license == exp.license {
                        t.license_ok += 1;
                    } else {
                        wrong_licenses.push(format!(
                            "{file}:{} `{}`: expected {}, got {}",
                            exp.line, exp.text, exp.license, found[i].license
                        ));
                    }
                }
                None => {
                    let near: Vec<&str> = found
                        .iter()
                        .filter(|f| f.line == exp.line)
                        .map(|f| f.text.as_str())
                        .collect();
                    let note = if near.is_empty() {
                        String::new()
                    } else {
                        format!(" (found on that line: {})", near.join(", "))
                    };
                    misses.push(format!(
                        "{file}:{} `{}` ({}){note}",
                        exp.line, exp.text, exp.license
                    ));
                }
            }
        }
        for (i, f) in found.iter().enumerate() {
            if used[i] {
                continue;
            }
            t.false_pos += 1;
            let known = expected
                .not_refs
                .iter()
                .find(|n| &n.file == file && n.line == f.line && f.text.contains(n.text.as_str()));
            let note = match known {
                Some(n) => {
                    negatives_flagged += 1;
                    format!(" [known negative: {}]", n.why)
                }
                None => String::new(),
            };
            false_positives.push(format!(
                "{file}:{} `{}` ({}){note}",
                f.line, f.text, f.license
            ));
        }
        let project = file.split('/').next().unwrap_or("").to_string();
        by_project.entry(project).or_default().add(t);
        by_kind.entry(kind.as_str().to_string()).or_default().add(t);
        total.add(t);
    }

    assert!(
        problems.is_empty(),
        "the corpus is inconsistent:\n  {}",
        problems.join("\n  ")
    );

    let mut report = String::from("\nReal-world corpus (tests/corpus)\n");
    report.push_str(&table("project", &by_project, total));
    report.push_str(&table("file kind", &by_kind, total));
    report.push_str(&format!(
        "\nknown negatives flagged: {negatives_flagged} of {}\n",
        expected.not_refs.len()
    ));
    for (title, list) in [
        ("misses", &misses),
        ("false positives", &false_positives),
        ("wrong licenses", &wrong_licenses),
    ] {
        report.push_str(&format!("\n{title} ({}):\n", list.len()));
        for item in list {
            report.push_str(&format!("  {item}\n"));
        }
    }
    println!("{report}");

    let mut failures = Vec::new();
    if total.recall() < MIN_RECALL {
        failures.push(format!(
            "recall {} is below the floor {}",
            pct(total.recall()),
            pct(MIN_RECALL)
        ));
    }
    if total.precision() < MIN_PRECISION {
        failures.push(format!(
            "precision {} is below the floor {}",
            pct(total.precision()),
            pct(MIN_PRECISION)
        ));
    }
    if total.license_accuracy() < MIN_LICENSE_ACCURACY {
        failures.push(format!(
            "license accuracy {} is below the floor {}",
            pct(total.license_accuracy()),
            pct(MIN_LICENSE_ACCURACY)
        ));
    }
    if negatives_flagged > MAX_KNOWN_NEGATIVES_FLAGGED {
        failures.push(format!(
            "{negatives_flagged} known negatives are reported (at most {MAX_KNOWN_NEGATIVES_FLAGGED})"
        ));
    }
    assert!(
        failures.is_empty(),
        "corpus figures regressed:\n  {}\n(see the report above)",
        failures.join("\n  ")
    );
}
