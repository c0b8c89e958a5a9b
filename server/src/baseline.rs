//! Baselines: the findings a project accepts for now, and the models it uses
//! (`fineprint baseline`; `fineprint check` compares with it).
//!
//! Invariants:
//! * The file is pretty-printed JSON with sorted lists and no line numbers, dates or
//!   absolute paths: writing it twice from the same tree gives the same bytes, and a
//!   diff of two versions shows only findings and models that came, went or changed.
//! * A finding's fingerprint is the SARIF one's recipe (file, code, reference text and
//!   the ordinal among equal pairs in the file; see `render::sarif`), with the path
//!   relative to the baseline's folder: it survives moved lines, and does not depend
//!   on the folder checked or the working directory. A finding on the policy file
//!   hashes its path, code, message and ordinal.
//! * A finding is *baselined* when the baseline holds its fingerprint with the same
//!   severity and license; with the same fingerprint and another severity or license
//!   it is *changed*, and reported like a new one.
//! * A file that is not a baseline is an error that names the file, the line and the
//!   column; nothing is half-read.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};

use crate::check::Report;
use crate::codes::{Code, Severity};
use crate::kb::KnowledgeBase;
use crate::policy::Policy;
use crate::render::sarif::{fnv1a, relative_path};

/// The name of the baseline file, looked for next to the policy file.
pub const FILE_NAME: &str = "fineprint-baseline.json";

/// The format version this build writes and reads.
pub const VERSION: u32 = 1;

/// The largest baseline file read (bytes).
pub const MAX_SIZE: u64 = 64 * 1024 * 1024;

/// A baseline file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Always [`VERSION`].
    #[serde(deserialize_with = "version")]
    pub version: u32,
    /// Every finding at every severity, sorted by path, code and fingerprint.
    pub findings: Vec<Entry>,
    /// The model inventory, sorted by model.
    pub models: Vec<Model>,
}

/// One finding in a baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// 16 lowercase hexadecimal digits.
    #[serde(deserialize_with = "fingerprint")]
    pub fingerprint: String,
    /// The file, relative to the baseline's folder, with `/` separators.
    pub path: String,
    /// The finding code.
    #[serde(with = "code")]
    pub code: Code,
    /// Its severity when the baseline was written.
    #[serde(with = "severity")]
    pub severity: Severity,
    /// The model id (none for a finding on the policy file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The license id applied (none when it is unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
}

/// One model of the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// The model id.
    pub model: String,
    /// The license ids it is under, sorted (empty when unknown; more than one when
    /// evidence on disk makes some references differ).
    pub licenses: Vec<String>,
}

fn version<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let v = u32::deserialize(d)?;
    if v == VERSION {
        Ok(v)
    } else {
        Err(de::Error::custom(format!(
            "baseline version {v} is not one this fineprint reads (it reads and writes version {VERSION}); write it again with `fineprint baseline`"
        )))
    }
}

fn fingerprint<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.len() == 16 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(s)
    } else {
        Err(de::Error::custom(format!(
            "`{s}` is not a fingerprint (16 lowercase hexadecimal digits)"
        )))
    }
}

mod code {
    use super::*;

    pub fn serialize<S: serde::Serializer>(c: &Code, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(c.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let s = String::deserialize(d)?;
        Code::parse(&s).ok_or_else(|| {
            de::Error::custom(format!(
                "unknown finding code `{s}` (docs/codes.md lists them)"
            ))
        })
    }
}

mod severity {
    use super::*;

    pub fn serialize<S: serde::Serializer>(v: &Severity, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Severity, D::Error> {
        let s = String::deserialize(d)?;
        [
            Severity::Error,
            Severity::Warning,
            Severity::Information,
            Severity::Hint,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
        .ok_or_else(|| {
            de::Error::custom(format!(
                "unknown severity `{s}` (expected error, warning, information or hint)"
            ))
        })
    }
}

/// Where a finding sits in a [`Report`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// `files[file].found[found].diagnostics[diagnostic]`.
    Reference {
        /// Index in `files`.
        file: usize,
        /// Index in `found`.
        found: usize,
        /// Index in `diagnostics`.
        diagnostic: usize,
    },
    /// `policy_findings[i]`.
    Policy(usize),
}

/// What a check made of its baseline ([`Report::baseline`]).
#[derive(Debug, Clone, Default)]
pub struct Applied {
    /// The baseline file, as named or found.
    pub file: String,
    /// Findings left out because the baseline holds them unchanged.
    pub baselined: usize,
    /// Findings reported whose fingerprint the baseline holds with another severity
    /// or license (the others reported are new).
    pub changed: usize,
    /// The changed findings, where they are in the report after filtering.
    pub changed_at: HashSet<Slot>,
}

/// The baseline file of a project: next to its policy file, else in `folder` (the
/// folder checked).
pub fn default_path(policy: &Policy, folder: &Path) -> PathBuf {
    policy
        .file
        .as_ref()
        .and_then(|f| f.parent())
        .map_or_else(|| folder.to_path_buf(), Path::to_path_buf)
        .join(FILE_NAME)
}

/// Drops `file` (a baseline under another name, `--baseline FILE`) from the files of a
/// report: what it records is not a reference. (The default name is never read.)
pub fn without_file(report: &mut Report, file: &Path) {
    let Some(name) = file.file_name() else {
        return;
    };
    let Ok(target) = file.canonicalize() else {
        return;
    };
    report.files.retain(|f| {
        let p = Path::new(&f.path);
        p.file_name() != Some(name) || p.canonicalize().ok().as_deref() != Some(&*target)
    });
}

/// The folder that a baseline's paths are relative to: the file's own folder,
/// absolute.
fn base_dir(file: &Path) -> PathBuf {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    dir.canonicalize()
        .or_else(|_| std::path::absolute(&dir))
        .unwrap_or(dir)
}

/// Reads a baseline file. The error names the file, and the line and column of what
/// is wrong in it.
pub fn read(file: &Path) -> Result<Baseline, String> {
    let shown = file.display();
    let bytes = crate::regular_file::read(file, MAX_SIZE)
        .map_err(|e| format!("{shown}: cannot read the baseline file: {e}"))?;
    parse(&bytes).map_err(|e| format!("{shown}:{e}"))
}

/// Parses the text of a baseline; the error starts with `line:column: `.
pub fn parse(bytes: &[u8]) -> Result<Baseline, String> {
    serde_json::from_slice::<Baseline>(bytes).map_err(|e| {
        let full = e.to_string();
        let at = format!(" at line {} column {}", e.line(), e.column());
        let what = full.strip_suffix(&at).unwrap_or(&full);
        format!(
            "{}:{}: not a fineprint baseline: {what}",
            e.line(),
            e.column()
        )
    })
}

/// The entries of every finding of `report`, at every severity, with where each is.
fn entries(report: &Report, kb: &KnowledgeBase, dir: &Path) -> Vec<(Slot, Entry)> {
    let mut out = Vec::new();
    for (fi, f) in report.files.iter().enumerate() {
        let rel = relative_path(Some(dir), Path::new(&f.path));
        let mut seen: HashMap<(Code, &str), usize> = HashMap::new();
        for (ri, r) in f.found.iter().enumerate() {
            let license = r
                .reference
                .resolution
                .as_ref()
                .map(|res| res.license(kb).id.clone());
            for (di, d) in r.diagnostics.iter().enumerate() {
                let n = seen.entry((d.code, &*r.reference.text)).or_insert(0);
                let ordinal = n.to_string();
                *n += 1;
                let fp = fnv1a(&[&rel, d.code.as_str(), &r.reference.text, &ordinal]);
                out.push((
                    Slot::Reference {
                        file: fi,
                        found: ri,
                        diagnostic: di,
                    },
                    Entry {
                        fingerprint: format!("{fp:016x}"),
                        path: rel.clone(),
                        code: d.code,
                        severity: d.severity,
                        model: Some(r.reference.id.clone()),
                        license: license.clone(),
                    },
                ));
            }
        }
    }
    let mut seen: HashMap<(String, Code, &str), usize> = HashMap::new();
    for (i, p) in report.policy_findings.iter().enumerate() {
        let rel = relative_path(Some(dir), Path::new(&p.path));
        let n = seen.entry((rel.clone(), p.code, &p.message)).or_insert(0);
        let ordinal = n.to_string();
        *n += 1;
        let fp = fnv1a(&[&rel, p.code.as_str(), &p.message, &ordinal]);
        out.push((
            Slot::Policy(i),
            Entry {
                fingerprint: format!("{fp:016x}"),
                path: rel,
                code: p.code,
                severity: p.severity,
                model: None,
                license: None,
            },
        ));
    }
    out
}

/// The model inventory of a report: each model id and the licenses it is under.
pub fn inventory(report: &Report, kb: &KnowledgeBase) -> Vec<Model> {
    let mut models: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in report.files.iter().flat_map(|f| &f.found) {
        let set = models.entry(&r.reference.id).or_default();
        if let Some(res) = &r.reference.resolution {
            set.insert(&res.license(kb).id);
        }
    }
    models
        .into_iter()
        .map(|(m, l)| Model {
            model: m.to_string(),
            licenses: l.into_iter().map(str::to_string).collect(),
        })
        .collect()
}

/// The baseline of a report, to be written to `file`.
pub fn of_report(report: &Report, kb: &KnowledgeBase, file: &Path) -> Baseline {
    let dir = base_dir(file);
    let mut findings: Vec<Entry> = entries(report, kb, &dir)
        .into_iter()
        .map(|(_, e)| e)
        .collect();
    findings.sort_by(|a, b| {
        (&a.path, a.code.as_str(), &a.fingerprint).cmp(&(&b.path, b.code.as_str(), &b.fingerprint))
    });
    Baseline {
        version: VERSION,
        findings,
        models: inventory(report, kb),
    }
}

/// The text of a baseline file: pretty-printed JSON ending with a line end.
pub fn to_text(b: &Baseline) -> String {
    let mut s = serde_json::to_string_pretty(b).unwrap_or_default();
    s.push('\n');
    s
}

/// Leaves out of `report` the findings `baseline` holds unchanged, and records in
/// `report.baseline` how many and which of the others changed. References stay (the
/// inventory is whole); only their findings go.
pub fn apply(report: &mut Report, baseline: &Baseline, kb: &KnowledgeBase, file: &Path) {
    let dir = base_dir(file);
    let known: HashMap<&str, &Entry> = baseline
        .findings
        .iter()
        .map(|e| (e.fingerprint.as_str(), e))
        .collect();
    let mut drop: HashSet<Slot> = HashSet::new();
    let mut changed: HashSet<Slot> = HashSet::new();
    for (slot, e) in entries(report, kb, &dir) {
        match known.get(e.fingerprint.as_str()) {
            Some(b) if b.code == e.code && b.severity == e.severity && b.license == e.license => {
                drop.insert(slot);
            }
            Some(_) => {
                changed.insert(slot);
            }
            None => {}
        }
    }
    let mut applied = Applied {
        file: file.display().to_string(),
        baselined: drop.len(),
        changed: changed.len(),
        changed_at: HashSet::new(),
    };
    for (fi, f) in report.files.iter_mut().enumerate() {
        for (ri, r) in f.found.iter_mut().enumerate() {
            let slot = |di| Slot::Reference {
                file: fi,
                found: ri,
                diagnostic: di,
            };
            if !(0..r.diagnostics.len()).any(|di| drop.contains(&slot(di))) {
                for di in (0..r.diagnostics.len()).filter(|&di| changed.contains(&slot(di))) {
                    applied.changed_at.insert(slot(di));
                }
                continue;
            }
            let mut kept = Vec::with_capacity(r.diagnostics.len());
            for (di, d) in r.diagnostics.iter().enumerate() {
                if drop.contains(&slot(di)) {
                    continue;
                }
                if changed.contains(&slot(di)) {
                    applied.changed_at.insert(slot(kept.len()));
                }
                kept.push(d.clone());
            }
            r.diagnostics = Arc::from(kept);
        }
    }
    let mut kept = Vec::with_capacity(report.policy_findings.len());
    for (i, p) in std::mem::take(&mut report.policy_findings)
        .into_iter()
        .enumerate()
    {
        if drop.contains(&Slot::Policy(i)) {
            continue;
        }
        if changed.contains(&Slot::Policy(i)) {
            applied.changed_at.insert(Slot::Policy(kept.len()));
        }
        kept.push(p);
    }
    report.policy_findings = kept;
    report.baseline = Some(applied);
}

/// How the models of a check differ from a baseline's inventory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// The baseline file.
    pub baseline: String,
    /// Models found now and not in the baseline.
    pub added: Vec<Model>,
    /// Models in the baseline and not found now.
    pub removed: Vec<Model>,
    /// Models in both whose licenses differ.
    pub changed: Vec<Changed>,
}

/// A model whose license changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    /// The model id.
    pub model: String,
    /// Its licenses in the baseline.
    pub from: Vec<String>,
    /// Its licenses now.
    pub to: Vec<String>,
}

impl Drift {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// The drift of `now` (an inventory) since `baseline`.
pub fn drift(baseline: &Baseline, now: &[Model], file: &Path) -> Drift {
    let then: BTreeMap<&str, &Model> = baseline
        .models
        .iter()
        .map(|m| (m.model.as_str(), m))
        .collect();
    let current: BTreeMap<&str, &Model> = now.iter().map(|m| (m.model.as_str(), m)).collect();
    let mut d = Drift {
        baseline: file.display().to_string(),
        ..Drift::default()
    };
    for (id, m) in &current {
        match then.get(id) {
            None => d.added.push((*m).clone()),
            Some(b) if b.licenses != m.licenses => d.changed.push(Changed {
                model: id.to_string(),
                from: b.licenses.clone(),
                to: m.licenses.clone(),
            }),
            Some(_) => {}
        }
    }
    for (id, m) in &then {
        if !current.contains_key(id) {
            d.removed.push((*m).clone());
        }
    }
    d
}

fn licenses_text(l: &[String]) -> String {
    if l.is_empty() {
        "unknown license".into()
    } else {
        l.join(" + ")
    }
}

/// The drift for a terminal: one line per model, then a summary line.
pub fn drift_text(d: &Drift) -> String {
    let mut out = String::new();
    for m in &d.added {
        out.push_str(&format!(
            "added    {} ({})\n",
            m.model,
            licenses_text(&m.licenses)
        ));
    }
    for m in &d.removed {
        out.push_str(&format!(
            "removed  {} ({})\n",
            m.model,
            licenses_text(&m.licenses)
        ));
    }
    for c in &d.changed {
        out.push_str(&format!(
            "changed  {}: {} -> {}\n",
            c.model,
            licenses_text(&c.from),
            licenses_text(&c.to)
        ));
    }
    out.push_str(&drift_summary(d));
    out.push('\n');
    out
}

/// `fineprint: since FILE: N model(s) added, M removed, K whose license changed`.
pub fn drift_summary(d: &Drift) -> String {
    format!(
        "fineprint: since {}: {} model(s) added, {} removed, {} whose license changed",
        d.baseline,
        d.added.len(),
        d.removed.len(),
        d.changed.len()
    )
}

/// The drift as GitHub Actions workflow commands (`::notice`), then the summary line.
pub fn drift_github(d: &Drift) -> String {
    let esc = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let mut out = String::new();
    for m in &d.added {
        out.push_str(&format!(
            "::notice title=fineprint%3A model added::{} ({})\n",
            esc(&m.model),
            esc(&licenses_text(&m.licenses))
        ));
    }
    for m in &d.removed {
        out.push_str(&format!(
            "::notice title=fineprint%3A model removed::{} ({})\n",
            esc(&m.model),
            esc(&licenses_text(&m.licenses))
        ));
    }
    for c in &d.changed {
        out.push_str(&format!(
            "::warning title=fineprint%3A license changed::{}: {} -> {}\n",
            esc(&c.model),
            esc(&licenses_text(&c.from)),
            esc(&licenses_text(&c.to))
        ));
    }
    out.push_str(&drift_summary(d));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (file text, the error's start): every bad baseline names line and column.
    #[test]
    fn bad_baselines_name_the_line() {
        let cases: &[(&str, &str)] = &[
            ("", "1:0: not a fineprint baseline: EOF while parsing"),
            ("[]", "1:2: not a fineprint baseline: invalid length 0"),
            (
                "{\"version\": 2, \"findings\": [], \"models\": []}",
                "1:13: not a fineprint baseline: baseline version 2",
            ),
            (
                "{\"version\": 1,\n\"findings\": [{\"fingerprint\": \"xyz\", \"path\": \"a.py\", \"code\": \"non-commercial\", \"severity\": \"error\"}],\n\"models\": []}",
                "2:34: not a fineprint baseline: `xyz` is not a fingerprint",
            ),
            (
                "{\"version\": 1,\n\"findings\": [\n{\"fingerprint\": \"0123456789abcdef\", \"path\": \"a.py\", \"code\": \"no-such\", \"severity\": \"error\"}],\n\"models\": []}",
                "3:69: not a fineprint baseline: unknown finding code `no-such`",
            ),
            (
                "{\"version\": 1,\n\"findings\": [\n{\"fingerprint\": \"0123456789abcdef\", \"path\": \"a.py\", \"code\": \"non-commercial\", \"severity\": \"fatal\"}],\n\"models\": []}",
                "3:98: not a fineprint baseline: unknown severity `fatal`",
            ),
            (
                "{\"version\": 1, \"findings\": [], \"models\": [], \"extra\": 1}",
                "1:52: not a fineprint baseline: unknown field `extra`",
            ),
            (
                "{\"version\": 1, \"findings\": []}",
                "1:30: not a fineprint baseline: missing field `models`",
            ),
        ];
        for (text, want) in cases {
            let got = parse(text.as_bytes()).expect_err(text);
            assert!(got.starts_with(want), "{text}\n got: {got}\nwant: {want}");
        }
    }

    /// A written baseline reads back equal.
    #[test]
    fn round_trip() {
        let b = Baseline {
            version: VERSION,
            findings: vec![Entry {
                fingerprint: "0123456789abcdef".into(),
                path: "src/app.py".into(),
                code: Code::NonCommercial,
                severity: Severity::Error,
                model: Some("black-forest-labs/FLUX.1-dev".into()),
                license: Some("flux-1-dev-non-commercial-license".into()),
            }],
            models: vec![Model {
                model: "gpt-4o".into(),
                licenses: vec!["openai-terms".into()],
            }],
        };
        assert_eq!(parse(to_text(&b).as_bytes()), Ok(b));
    }

    /// (baseline models, models now, added, removed, changed)
    #[test]
    fn drift_of_inventories() {
        let m = |id: &str, l: &[&str]| Model {
            model: id.into(),
            licenses: l.iter().map(|s| s.to_string()).collect(),
        };
        type Case = (
            Vec<Model>,
            Vec<Model>,
            Vec<&'static str>,
            Vec<&'static str>,
            Vec<&'static str>,
        );
        let cases: Vec<Case> = vec![
            (vec![], vec![], vec![], vec![], vec![]),
            (
                vec![m("a", &["mit"])],
                vec![m("a", &["mit"])],
                vec![],
                vec![],
                vec![],
            ),
            (vec![], vec![m("a", &["mit"])], vec!["a"], vec![], vec![]),
            (vec![m("a", &["mit"])], vec![], vec![], vec!["a"], vec![]),
            (
                vec![m("a", &["mit"])],
                vec![m("a", &["gemma"])],
                vec![],
                vec![],
                vec!["a"],
            ),
            (
                vec![m("a", &[])],
                vec![m("a", &["mit"])],
                vec![],
                vec![],
                vec!["a"],
            ),
            (
                vec![m("a", &["mit"]), m("b", &["mit"])],
                vec![m("b", &["mit"]), m("c", &[])],
                vec!["c"],
                vec!["a"],
                vec![],
            ),
        ];
        for (then, now, added, removed, changed) in cases {
            let b = Baseline {
                version: VERSION,
                findings: vec![],
                models: then,
            };
            let d = drift(&b, &now, Path::new(FILE_NAME));
            let ids = |v: &[Model]| v.iter().map(|m| m.model.clone()).collect::<Vec<_>>();
            assert_eq!(ids(&d.added), added);
            assert_eq!(ids(&d.removed), removed);
            assert_eq!(
                d.changed
                    .iter()
                    .map(|c| c.model.clone())
                    .collect::<Vec<_>>(),
                changed
            );
        }
    }
}
