//! Generated indexes: exact model ids imported from well-kept public packages by
//! `scripts/gen_indexes.py` (`rules/generated/*.tsv`), apart from the curated families.
//!
//! A file is a header of `# key: value` lines (source, package, sha256, file, url,
//! imported, license-of-data), a column line `kind<TAB>id<TAB>license`, then one row per
//! id. Kinds: `hf` (a Hub repository), `api` (a hosted API name), `ollama`, and
//! `lib:<library>` (a name a library resolves itself, such as a timm architecture).
//!
//! Invariants:
//! * Every entry's license is a loaded license id or alias (checked by the loader; a
//!   dangling one is a load problem with file and line), so lookups never fail later.
//! * Lookups are exact on the normalized id (`_` as `-`, lowercase; API names keep their
//!   case but `_` still folds), one hash probe per query, whatever the number of entries.
//! * The curated rules win: the resolver consults this index only where no curated
//!   vendor pattern names the id (see `resolve`), and `rules_check::disagreements` lists
//!   every id on which the two disagree.

use std::collections::HashMap;

use super::LoadProblem;

/// The kind of name an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GenKind {
    /// A Hugging Face repository `org/name`.
    Hf,
    /// A hosted API model name (as LiteLLM or a provider writes it).
    Api,
    /// An Ollama library name.
    Ollama,
    /// A name one library resolves itself (`timm`, `open_clip`, ...).
    Lib,
}

impl GenKind {
    /// The label used in counts and reports.
    pub fn label(self) -> &'static str {
        match self {
            Self::Hf => "Hugging Face ids",
            Self::Api => "API names",
            Self::Ollama => "Ollama names",
            Self::Lib => "library-native names",
        }
    }
}

/// Where a generated file's entries come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenSource {
    /// The rules file (`generated/mteb.tsv`).
    pub file: String,
    /// Short name of the source (`mteb`).
    pub name: String,
    /// The pinned input (`pypi:mteb==2.26.24`).
    pub package: String,
    /// The file(s) read inside the input.
    pub section: String,
    /// Where the input can be seen.
    pub url: String,
    /// The date of the import (YYYY-MM-DD).
    pub imported: String,
    /// The license of the imported data itself.
    pub data_license: String,
}

/// One generated id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenEntry {
    /// Kind of name.
    pub kind: GenKind,
    /// For [`GenKind::Lib`], the library (`timm`); empty otherwise.
    pub library: String,
    /// The id as the source writes it.
    pub id: String,
    /// License id (as written in the file; resolved through the base's ids and aliases).
    pub license: String,
    /// Index into [`GeneratedIndex::sources`].
    pub source: usize,
    /// 1-based line in its file.
    pub line: usize,
}

/// Every generated entry, with an exact-match map per kind.
#[derive(Debug, Default)]
pub struct GeneratedIndex {
    /// The files loaded, in order.
    pub sources: Vec<GenSource>,
    /// Every entry, in file order.
    pub entries: Vec<GenEntry>,
    /// Hash of (kind, normalized key) -> indexes into `entries` (several sources may
    /// list one id). Keys are not stored: [`Self::lookup`] checks each entry's own key,
    /// so a hash collision costs a comparison, never a wrong answer.
    exact: HashMap<u64, Vec<u32>, std::hash::BuildHasherDefault<IdentityHasher>>,
    /// Hashes of (kind, normalized key), for [`Self::contains`] without allocating.
    hashes: std::collections::HashSet<u64, std::hash::BuildHasherDefault<IdentityHasher>>,
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
pub struct IdentityHasher(u64);

impl std::hash::Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// FNV-1a of a kind and an id folded as [`key_of`] folds it, without allocating.
pub fn folded_hash(kind: GenKind, id: &str, keep_case: bool) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ (kind as u64);
    for &b in id.as_bytes() {
        let c = match b {
            b'_' => b'-',
            c if keep_case => c,
            c => c.to_ascii_lowercase(),
        };
        h ^= u64::from(c);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The hash of a (kind, normalized key) pair, for [`GeneratedIndex::exact`].
fn key_hash(kind: GenKind, key: &str) -> u64 {
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15 ^ (kind as u64);
    for &b in key.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The normalized key of an id: `_` as `-`; lowercase unless `keep_case`.
pub fn key_of(id: &str, keep_case: bool) -> String {
    if keep_case {
        id.replace('_', "-")
    } else {
        super::patterns::normalize(id)
    }
}

fn parse_kind(s: &str) -> Option<(GenKind, &str)> {
    match s {
        "hf" => Some((GenKind::Hf, "")),
        "api" => Some((GenKind::Api, "")),
        "ollama" => Some((GenKind::Ollama, "")),
        _ => s
            .strip_prefix("lib:")
            .filter(|l| !l.is_empty())
            .map(|l| (GenKind::Lib, l)),
    }
}

impl GeneratedIndex {
    /// Parses one generated file and adds its entries; problems name the file and line.
    pub fn add_file(&mut self, file: &str, text: &str, problems: &mut Vec<LoadProblem>) {
        let source_index = self.sources.len();
        let mut src = GenSource {
            file: file.to_string(),
            ..GenSource::default()
        };
        let mut columns_seen = false;
        let problem = |line: usize, message: String| LoadProblem {
            file: file.to_string(),
            line,
            column: 1,
            message,
        };
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = raw.trim_end_matches('\r');
            if line.trim().is_empty() {
                continue;
            }
            if let Some(h) = line.strip_prefix('#') {
                if let Some((k, v)) = h.split_once(':') {
                    let v = v.trim().to_string();
                    match k.trim() {
                        "source" => src.name = v,
                        "package" => src.package = v,
                        "file" => src.section = v,
                        "url" => src.url = v,
                        "imported" => src.imported = v,
                        "license-of-data" => src.data_license = v,
                        _ => {}
                    }
                }
                continue;
            }
            if !columns_seen {
                if line.split('\t').collect::<Vec<_>>() != ["kind", "id", "license"] {
                    problems.push(problem(
                        line_no,
                        "expected the column line `kind<TAB>id<TAB>license` after the header"
                            .into(),
                    ));
                    return;
                }
                columns_seen = true;
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(kind), Some(id), Some(license), None) =
                (cols.next(), cols.next(), cols.next(), cols.next())
            else {
                problems.push(problem(
                    line_no,
                    "expected three tab-separated columns: kind, id, license".into(),
                ));
                continue;
            };
            let Some((kind, library)) = parse_kind(kind) else {
                problems.push(problem(
                    line_no,
                    format!("unknown kind `{kind}` (hf, api, ollama or lib:<library>)"),
                ));
                continue;
            };
            if id.is_empty() || id.chars().any(char::is_whitespace) || license.is_empty() {
                problems.push(problem(
                    line_no,
                    "the id and the license must be non-empty and without spaces".into(),
                ));
                continue;
            }
            let n = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
            let key = Self::key(kind, library, id);
            if kind != GenKind::Lib {
                self.hashes
                    .insert(folded_hash(kind, id, kind == GenKind::Api));
            }
            self.exact.entry(key_hash(kind, &key)).or_default().push(n);
            self.entries.push(GenEntry {
                kind,
                library: library.to_string(),
                id: id.to_string(),
                license: license.to_string(),
                source: source_index,
                line: line_no,
            });
        }
        for (what, v) in [
            ("source", &src.name),
            ("package", &src.package),
            ("file", &src.section),
            ("url", &src.url),
            ("imported", &src.imported),
        ] {
            if v.is_empty() {
                problems.push(problem(0, format!("the header has no `# {what}:` line")));
            }
        }
        if !src.url.is_empty() && !src.url.starts_with("https://") {
            problems.push(problem(0, format!("`# url:` is not https: `{}`", src.url)));
        }
        if !src.imported.is_empty() && !super::valid_date(&src.imported) {
            problems.push(problem(
                0,
                format!("`# imported:` is not a YYYY-MM-DD date: `{}`", src.imported),
            ));
        }
        if !columns_seen {
            problems.push(problem(0, "no column line and no entries".into()));
        }
        self.sources.push(src);
    }

    /// Appends `other` (read from a later file) after this index's sources and entries.
    pub fn merge(&mut self, other: GeneratedIndex) {
        if self.entries.is_empty() && self.sources.is_empty() {
            *self = other;
            return;
        }
        let (sources, entries) = (self.sources.len(), self.entries.len());
        let shift = u32::try_from(entries).unwrap_or(u32::MAX);
        self.sources.extend(other.sources);
        self.entries.extend(other.entries.into_iter().map(|mut e| {
            e.source += sources;
            e
        }));
        for (key, ids) in other.exact {
            self.exact
                .entry(key)
                .or_default()
                .extend(ids.into_iter().map(|i| i.saturating_add(shift)));
        }
        self.hashes.extend(other.hashes);
    }

    fn key(kind: GenKind, library: &str, id: &str) -> String {
        match kind {
            GenKind::Api => key_of(id, true),
            GenKind::Lib => format!("{}:{}", library.to_ascii_lowercase(), key_of(id, false)),
            _ => key_of(id, false),
        }
    }

    /// Every entry that lists `id` as a `kind` (for `lib`, of library `library`), with
    /// its index in [`Self::entries`].
    pub fn lookup(
        &self,
        kind: GenKind,
        library: &str,
        id: &str,
    ) -> impl Iterator<Item = (u32, &GenEntry)> {
        let key = Self::key(kind, library, id);
        self.exact
            .get(&key_hash(kind, &key))
            .into_iter()
            .flatten()
            .filter_map(|&i| Some((i, self.entries.get(i as usize)?)))
            .filter(move |(_, e)| e.kind == kind && Self::key(e.kind, &e.library, &e.id) == key)
    }

    /// Whether any entry may list `id` as a `kind` (not for [`GenKind::Lib`]): one hash
    /// probe, no allocation; a 64-bit hash collision can answer yes wrongly, which
    /// [`Self::lookup`] then settles.
    #[inline]
    pub fn contains(&self, kind: GenKind, id: &str) -> bool {
        !self.hashes.is_empty()
            && self
                .hashes
                .contains(&folded_hash(kind, id, kind == GenKind::Api))
    }

    /// The source of an entry.
    pub fn source_of(&self, e: &GenEntry) -> &GenSource {
        &self.sources[e.source.min(self.sources.len().saturating_sub(1))]
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The literal prefixes of bare names (API and Ollama ids), for the detector's
    /// cheap pre-filter.
    pub fn bare_names(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .filter(|e| matches!(e.kind, GenKind::Api | GenKind::Ollama))
            .map(|e| e.id.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "# source: demo\n# package: pypi:demo==1.0\n# file: demo/models.py\n# url: https://pypi.org/project/demo/1.0/\n# imported: 2026-12-05\n";

    fn load(body: &str) -> (GeneratedIndex, Vec<LoadProblem>) {
        let mut ix = GeneratedIndex::default();
        let mut problems = Vec::new();
        ix.add_file(
            "generated/demo.tsv",
            &format!("{HEADER}{body}"),
            &mut problems,
        );
        (ix, problems)
    }

    #[test]
    fn lookups_by_kind() {
        let (ix, problems) = load(
            "kind\tid\tlicense\nhf\tBAAI/bge_m3\tmit\napi\tgpt-4o-mini\tproprietary-openai\nlib:timm\tresnet50.a1_in1k\tapache-2.0\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let cases: &[(GenKind, &str, &str, Option<&str>)] = &[
            (GenKind::Hf, "", "baai/BGE-M3", Some("mit")),
            (GenKind::Hf, "", "BAAI/bge-m3-extra", None),
            (GenKind::Api, "", "gpt-4o-mini", Some("proprietary-openai")),
            (GenKind::Api, "", "GPT-4o-mini", None),
            (GenKind::Lib, "timm", "resnet50.a1_in1k", Some("apache-2.0")),
            (GenKind::Lib, "open_clip", "resnet50.a1_in1k", None),
            (GenKind::Hf, "", "gpt-4o-mini", None),
        ];
        for (kind, lib, id, want) in cases {
            let got = ix
                .lookup(*kind, lib, id)
                .next()
                .map(|(_, e)| e.license.as_str());
            assert_eq!(got, *want, "{kind:?} {lib} {id}");
        }
        assert_eq!(ix.source_of(&ix.entries[0]).name, "demo");
        assert_eq!(ix.entries[2].line, 9);
    }

    #[test]
    fn bad_files_are_reported_with_their_line() {
        let cases: &[(&str, usize, &str)] = &[
            ("hf\tBAAI/bge-m3\tmit\n", 6, "column line"),
            (
                "kind\tid\tlicense\nhf\tBAAI/bge-m3\n",
                7,
                "three tab-separated",
            ),
            (
                "kind\tid\tlicense\nmodel\tBAAI/bge-m3\tmit\n",
                7,
                "unknown kind",
            ),
            (
                "kind\tid\tlicense\nhf\tBAAI/bge m3\tmit\n",
                7,
                "without spaces",
            ),
            ("kind\tid\tlicense\nlib:\tx\tmit\n", 7, "unknown kind"),
        ];
        for (body, line, what) in cases {
            let (_, problems) = load(body);
            assert!(
                problems
                    .iter()
                    .any(|p| p.line == *line && p.message.contains(what)),
                "{body:?}: {problems:?}"
            );
        }
        let mut ix = GeneratedIndex::default();
        let mut problems = Vec::new();
        ix.add_file("generated/x.tsv", "kind\tid\tlicense\n", &mut problems);
        assert!(problems.iter().any(|p| p.message.contains("# source:")));
    }
}
