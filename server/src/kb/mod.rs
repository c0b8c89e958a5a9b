//! The knowledge base: licenses, model families and the detector's vocabulary, loaded
//! from the TOML files of `rules/` (embedded at build time) plus an optional folder of
//! additions and overrides.
//!
//! Invariants:
//! * Loading never panics; every problem in a file is reported with file, line and
//!   column, and a base with problems is not used.
//! * Every family's (and variant's) license id resolves to a loaded license: a dangling
//!   id is a load error, so the rest of the engine can index licenses without checks.
//! * Patterns are compiled once, here; matching a reference costs one glob-set query
//!   per shape, whatever the size of the base.

pub mod catalog;
pub mod generated;
pub mod libraries;
pub mod pack;
mod patterns;
pub mod schema;

use std::collections::HashMap;
use std::path::Path;

use generated::GeneratedIndex;
use libraries::LibraryIndex;
use patterns::PatternIndex;
pub use patterns::{Match, PatternKind};
pub use schema::*;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/rules_embedded.rs"));
}

/// One problem found while loading the base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadProblem {
    /// File (relative to the rules folder, or the path given).
    pub file: String,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// 1-based column, 0 when unknown.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for LoadProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}

/// Problems that kept the base from loading.
#[derive(Debug, Clone)]
pub struct LoadError(pub Vec<LoadProblem>);

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "the knowledge base has {} problem(s):", self.0.len())?;
        for p in &self.0 {
            writeln!(f, "  {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// One rules file, parsed according to where it lies.
enum Parsed {
    Licenses(Result<License, toml::de::Error>),
    Families(Result<FamilyFile, toml::de::Error>),
    Libraries(Result<LibraryFile, toml::de::Error>),
    Providers(Result<ProviderFile, toml::de::Error>),
    Vocab(Result<DetectVocab, toml::de::Error>),
    /// A generated index, read on its own (merged in file order, which numbers its
    /// sources), with the problems found in it.
    Generated(Box<GeneratedIndex>, Vec<LoadProblem>),
    Other,
}

/// Reads a file's contents: from its build-time JSON snapshot when it has one (a
/// fraction of the cost of TOML), else from its TOML text. A snapshot that does not fit
/// the schema falls back to the text, whose error carries the right line.
fn decode<D: serde::de::DeserializeOwned>(
    text: &str,
    snapshot: Option<&str>,
) -> Result<D, toml::de::Error> {
    if let Some(json) = snapshot
        && let Ok(value) = serde_json::from_str(json)
    {
        return Ok(value);
    }
    toml::from_str(text)
}

/// Parses one file by its place: `licenses/*` and `models/*` whatever their names
/// (`models/libraries.toml` holds families), then `generated/*.tsv`, then the
/// top-level files by name.
fn parse_one(name: &str, text: &str, snapshot: Option<&str>) -> Parsed {
    let norm = name.replace('\\', "/");
    let file_name = norm.rsplit('/').next().unwrap_or(&norm);
    let dir = norm.rsplit('/').nth(1).unwrap_or("");
    match (dir, file_name) {
        ("licenses", _) => Parsed::Licenses(decode(text, snapshot)),
        ("models", _) => Parsed::Families(decode(text, snapshot)),
        ("generated", f) if f.ends_with(".tsv") => {
            let mut index = GeneratedIndex::default();
            let mut problems = Vec::new();
            index.add_file(name, text, &mut problems);
            Parsed::Generated(Box::new(index), problems)
        }
        (_, "providers.toml") => Parsed::Providers(decode(text, snapshot)),
        (_, "libraries.toml") => Parsed::Libraries(decode(text, snapshot)),
        (_, "detect.toml") => Parsed::Vocab(decode(text, snapshot)),
        _ => Parsed::Other,
    }
}

/// A file to load: name, text, and the JSON snapshot of an embedded TOML text.
type RuleFile<T> = (String, T, Option<&'static str>);

/// [`parse_one`] of every file, on up to four threads (one where there is one core),
/// in file order.
fn parse_all<T: AsRef<str> + Sync>(files: &[RuleFile<T>]) -> Vec<Parsed> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, 4);
    if threads == 1 || files.len() < 8 {
        return files
            .iter()
            .map(|(n, t, j)| parse_one(n, t.as_ref(), *j))
            .collect();
    }
    // Interleaved shares balance the few large files with the many small ones.
    let mut shares: Vec<Vec<(usize, Parsed)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|k| {
                scope.spawn(move || {
                    files
                        .iter()
                        .enumerate()
                        .skip(k)
                        .step_by(threads)
                        .map(|(i, (n, t, j))| (i, parse_one(n, t.as_ref(), *j)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut all: Vec<(usize, Parsed)> = shares.drain(..).flatten().collect();
    if all.len() != files.len() {
        // A thread died (it cannot: parsing returns errors, it does not panic); parse
        // again on this one rather than lose files.
        return files
            .iter()
            .map(|(n, t, j)| parse_one(n, t.as_ref(), *j))
            .collect();
    }
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, p)| p).collect()
}

/// Adds `item` to `items` (and its file to `files`), replacing an item with the same
/// id: a later file (a user's rules folder) overrides an earlier one.
fn upsert<T>(
    items: &mut Vec<T>,
    files: &mut Vec<String>,
    item: T,
    file: &str,
    id: impl Fn(&T) -> &str,
) {
    match items.iter().position(|x| id(x) == id(&item)) {
        Some(i) => {
            items[i] = item;
            files[i] = file.to_string();
        }
        None => {
            items.push(item);
            files.push(file.to_string());
        }
    }
}

fn toml_problem(file: &str, text: &str, err: &toml::de::Error) -> LoadProblem {
    let (line, column) = err.span().map_or((0, 0), |s| line_col(text, s.start));
    LoadProblem {
        file: file.to_string(),
        line,
        column,
        message: err.message().trim().to_string(),
    }
}

/// Where the resolver found a family: the family and, if any, the variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FamilyRef {
    /// Index into [`KnowledgeBase::families`].
    pub family: usize,
    /// Index into that family's variants.
    pub variant: Option<usize>,
}

/// The openness ladder, computed from facts (see `docs/openness.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Openness {
    /// OSI-approved license on the weights, published training code and open data information.
    OpenSourceAi,
    /// Downloadable weights under a license without conditions on use.
    OpenWeightsPermissive,
    /// Downloadable weights under a license with conditions or bans.
    OpenWeightsRestricted,
    /// Downloadable weights that may not be used commercially.
    OpenWeightsNonCommercial,
    /// Reachable only through a vendor's API.
    Closed,
}

impl Openness {
    /// Words shown on cards.
    pub fn label(self) -> &'static str {
        match self {
            Self::OpenSourceAi => "open source AI",
            Self::OpenWeightsPermissive => "open weights, permissive license",
            Self::OpenWeightsRestricted => "open weights, restricted license",
            Self::OpenWeightsNonCommercial => "open weights, non-commercial",
            Self::Closed => "closed (API only)",
        }
    }
}

/// Where the knowledge in force comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Origin {
    /// The rules built into the binary.
    #[default]
    Embedded,
    /// A knowledge pack installed by `fineprint update`.
    Pack(PackOrigin),
}

/// A knowledge pack in force: what `--version` and `explain` say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackOrigin {
    /// The knowledge's date (`YYYY-MM-DD`).
    pub date: String,
    /// The URL it was downloaded from.
    pub source: String,
    /// When it was installed (`YYYY-MM-DD`).
    pub installed: String,
    /// The key that verified its signature (`the release key`, ...).
    pub signer: String,
}

impl Origin {
    /// One line for people: `built in` or `knowledge pack of DATE from URL (...)`.
    pub fn describe(&self) -> String {
        match self {
            Self::Embedded => "built in".into(),
            Self::Pack(p) => format!(
                "knowledge pack of {} from {} (installed {}, signed by {})",
                p.date, p.source, p.installed, p.signer
            ),
        }
    }
}

/// The date of the embedded knowledge, computed at build time (the same as
/// `KnowledgeBase::builtin()?.date()`, without loading the base).
pub fn embedded_date() -> &'static str {
    embedded::DATE
}

/// The loaded knowledge base.
#[derive(Debug)]
pub struct KnowledgeBase {
    /// Where this knowledge comes from (the binary, or a knowledge pack).
    pub origin: Origin,
    /// All licenses.
    pub licenses: Vec<License>,
    /// All model families.
    pub families: Vec<Family>,
    /// Detector vocabulary.
    pub vocab: DetectVocab,
    /// Exact ids imported from public packages (`rules/generated/`).
    pub generated: GeneratedIndex,
    /// Library-native names and SDK defaults (`rules/libraries.toml`).
    pub libraries: LibraryIndex,
    /// Where each library was loaded from.
    pub library_files: Vec<String>,
    /// Hosting providers (`rules/providers.toml`).
    pub providers: Vec<Provider>,
    /// Where each provider was loaded from.
    pub provider_files: Vec<String>,
    /// Hosted names, lowercase -> (provider, hosted entry).
    hosted: HashMap<String, Vec<(usize, usize)>>,
    /// Hashes of the provider prefixes, for a check without allocating.
    provider_prefix_hashes:
        std::collections::HashSet<u64, std::hash::BuildHasherDefault<generated::IdentityHasher>>,
    /// Hashes of the hosted names, for a check without allocating.
    hosted_hashes:
        std::collections::HashSet<u64, std::hash::BuildHasherDefault<generated::IdentityHasher>>,
    license_ids: HashMap<String, usize>,
    family_ids: HashMap<String, usize>,
    index: PatternIndex,
    /// Where each license was loaded from.
    pub license_files: Vec<String>,
    /// Where each family was loaded from.
    pub family_files: Vec<String>,
}

/// Files of the embedded base: (path relative to `rules/`, text).
pub fn embedded_files() -> &'static [(&'static str, &'static str)] {
    embedded::EMBEDDED
}

/// The embedded files with their build-time JSON snapshots.
fn embedded_sources() -> impl Iterator<Item = RuleFile<&'static str>> {
    embedded::EMBEDDED
        .iter()
        .zip(embedded::SNAPSHOTS.iter().chain(std::iter::repeat(&None)))
        .map(|((p, t), j)| ((*p).to_string(), *t, *j))
}

impl KnowledgeBase {
    /// The built-in knowledge base, loaded once for all unit tests of the crate.
    #[cfg(test)]
    pub(crate) fn builtin_for_tests() -> &'static KnowledgeBase {
        static KB: std::sync::OnceLock<KnowledgeBase> = std::sync::OnceLock::new();
        KB.get_or_init(|| KnowledgeBase::builtin().expect("rules load"))
    }

    /// The base built into the binary.
    pub fn builtin() -> Result<Self, LoadError> {
        // The texts are borrowed from the binary: copying them cost more than a small
        // file's whole check.
        Self::load(embedded_sources().collect())
    }

    /// The built-in base plus the `*.toml` files of `dir` (same layout as `rules/`):
    /// a license or family with an id that exists already replaces it.
    pub fn with_extra_dir(dir: &Path) -> Result<Self, LoadError> {
        let files: Vec<RuleFile<std::borrow::Cow<'static, str>>> = embedded_sources()
            .map(|(p, t, j)| (p, std::borrow::Cow::Borrowed(t), j))
            .collect();
        Self::load_with_extra(files, dir)
    }

    /// The base of a knowledge pack (instead of the embedded files), plus the files of
    /// `extra` as [`KnowledgeBase::with_extra_dir`] adds them. The base's
    /// [`KnowledgeBase::origin`] is `origin`.
    pub fn from_pack(
        pack: &pack::Pack,
        extra: Option<&Path>,
        origin: Origin,
    ) -> Result<Self, LoadError> {
        let files: Vec<RuleFile<std::borrow::Cow<'_, str>>> = pack
            .files
            .iter()
            .map(|(p, t)| (p.clone(), std::borrow::Cow::Borrowed(t.as_str()), None))
            .collect();
        let mut kb = match extra {
            Some(dir) => Self::load_with_extra(files, dir)?,
            None => Self::load(files)?,
        };
        kb.origin = origin;
        Ok(kb)
    }

    fn load_with_extra(
        mut files: Vec<RuleFile<std::borrow::Cow<'_, str>>>,
        dir: &Path,
    ) -> Result<Self, LoadError> {
        let mut problems = Vec::new();
        let mut extra = Vec::new();
        collect_toml(dir, dir, &mut extra, &mut problems);
        extra.sort();
        for (rel, path) in extra {
            match std::fs::read_to_string(&path) {
                Ok(text) => files.push((
                    format!("{}/{rel}", dir.display()),
                    std::borrow::Cow::Owned(text),
                    None,
                )),
                Err(e) => problems.push(LoadProblem {
                    file: path.display().to_string(),
                    line: 0,
                    column: 0,
                    message: format!("cannot read: {e}"),
                }),
            }
        }
        if !problems.is_empty() {
            return Err(LoadError(problems));
        }
        Self::load(files)
    }

    /// Loads a base from (name, text) pairs. Names decide the kind of file:
    /// `.../licenses/*.toml`, `.../models/*.toml`, `.../detect.toml`.
    pub fn from_files<T: AsRef<str> + Sync>(
        files: impl IntoIterator<Item = (String, T)>,
    ) -> Result<Self, LoadError> {
        Self::load(files.into_iter().map(|(n, t)| (n, t, None)).collect())
    }

    fn load<T: AsRef<str> + Sync>(files: Vec<RuleFile<T>>) -> Result<Self, LoadError> {
        let mut problems = Vec::new();
        let mut licenses: Vec<License> = Vec::new();
        let mut license_files: Vec<String> = Vec::new();
        let mut families: Vec<Family> = Vec::new();
        let mut family_files: Vec<String> = Vec::new();
        let mut vocab: Option<DetectVocab> = None;
        let mut generated = GeneratedIndex::default();
        let mut libraries: Vec<Library> = Vec::new();
        let mut library_files: Vec<String> = Vec::new();
        let mut providers: Vec<Provider> = Vec::new();
        let mut provider_files: Vec<String> = Vec::new();
        // Parse on every core (TOML parsing is most of a start), merge in file order so
        // that a later file still overrides an earlier one.
        for ((name, text, _), parsed) in files.iter().zip(parse_all(&files)) {
            let text = text.as_ref();
            match parsed {
                Parsed::Licenses(Ok(l)) => {
                    upsert(&mut licenses, &mut license_files, l, name, |x| &x.id);
                }
                Parsed::Families(Ok(f)) => {
                    for fam in f.family {
                        upsert(&mut families, &mut family_files, fam, name, |x| &x.id);
                    }
                }
                Parsed::Libraries(Ok(f)) => {
                    for lib in f.library {
                        upsert(&mut libraries, &mut library_files, lib, name, |x| &x.id);
                    }
                }
                Parsed::Providers(Ok(f)) => {
                    for p in f.provider {
                        upsert(&mut providers, &mut provider_files, p, name, |x| &x.id);
                    }
                }
                Parsed::Vocab(Ok(v)) => vocab = Some(v),
                Parsed::Generated(index, found) => {
                    generated.merge(*index);
                    problems.extend(found);
                }
                Parsed::Licenses(Err(e))
                | Parsed::Families(Err(e))
                | Parsed::Libraries(Err(e))
                | Parsed::Providers(Err(e))
                | Parsed::Vocab(Err(e)) => problems.push(toml_problem(name, text, &e)),
                Parsed::Other => {}
            }
        }
        let mut vocab = vocab.unwrap_or_else(|| {
            problems.push(LoadProblem {
                file: "detect.toml".into(),
                line: 0,
                column: 0,
                message: "missing: the detector vocabulary file rules/detect.toml".into(),
            });
            DetectVocab::default()
        });

        let mut hosted: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for (pi, p) in providers.iter().enumerate() {
            for path in &p.paths {
                vocab.provider_paths.push((path.to_ascii_lowercase(), pi));
            }
            for pre in &p.prefixes {
                vocab.provider_prefixes.push((pre.to_ascii_lowercase(), pi));
            }
            for (hi, h) in p.hosted.iter().enumerate() {
                hosted
                    .entry(h.name.to_ascii_lowercase())
                    .or_default()
                    .push((pi, hi));
            }
        }
        // Longest path first, so that `fireworks_ai/accounts/...` wins over a shorter one.
        vocab
            .provider_paths
            .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.cmp(b)));
        let mut license_ids = HashMap::new();
        for (i, l) in licenses.iter().enumerate() {
            for key in std::iter::once(&l.id).chain(l.aliases.iter()) {
                if let Some(prev) = license_ids.insert(key.to_lowercase(), i)
                    && prev != i
                {
                    problems.push(LoadProblem {
                        file: license_files[i].clone(),
                        line: 0,
                        column: 0,
                        message: format!(
                            "license id or alias `{key}` is also used by {}",
                            license_files[prev]
                        ),
                    });
                }
            }
        }
        let mut family_ids = HashMap::new();
        for (i, f) in families.iter().enumerate() {
            family_ids.insert(f.id.clone(), i);
            let mut check = |lic: &str, what: &str| {
                if !license_ids.contains_key(&lic.to_lowercase()) {
                    problems.push(LoadProblem {
                        file: family_files[i].clone(),
                        line: 0,
                        column: 0,
                        message: format!(
                            "{what} points at license `{lic}`, which no file in licenses/ defines"
                        ),
                    });
                }
            };
            check(&f.license, &format!("family `{}`", f.id));
            for v in &f.variant {
                check(
                    &v.license,
                    &format!("variant `{}` of family `{}`", v.name, f.id),
                );
            }
        }
        for e in &generated.entries {
            if !license_ids.contains_key(&e.license.to_lowercase()) {
                problems.push(LoadProblem {
                    file: generated.source_of(e).file.clone(),
                    line: e.line,
                    column: 1,
                    message: format!(
                        "`{}` points at license `{}`, which no file in licenses/ defines",
                        e.id, e.license
                    ),
                });
            }
        }
        for (lib, file) in libraries.iter().zip(&library_files) {
            for fam in lib.names.iter().filter_map(|n| n.family.as_ref()) {
                if !family_ids.contains_key(fam) {
                    problems.push(LoadProblem {
                        file: file.clone(),
                        line: 0,
                        column: 0,
                        message: format!(
                            "library `{}` maps names to family `{fam}`, which no file in models/ defines",
                            lib.id
                        ),
                    });
                }
            }
        }
        let hosted_names = providers
            .iter()
            .flat_map(|p| p.hosted.iter().map(|h| h.name.as_str()));
        let provider_prefix_hashes = vocab
            .provider_prefixes
            .iter()
            .map(|(p, _)| generated::folded_hash(generated::GenKind::Hf, p, false))
            .collect();
        let index = match PatternIndex::build(&families, generated.bare_names().chain(hosted_names))
        {
            Ok(ix) => ix,
            Err(errs) => {
                for (fam, msg) in errs {
                    problems.push(LoadProblem {
                        file: family_files.get(fam).cloned().unwrap_or_default(),
                        line: 0,
                        column: 0,
                        message: msg,
                    });
                }
                PatternIndex::default()
            }
        };
        if !problems.is_empty() {
            return Err(LoadError(problems));
        }
        Ok(Self {
            origin: Origin::Embedded,
            licenses,
            families,
            vocab,
            generated,
            libraries: LibraryIndex::new(libraries),
            library_files,
            providers,
            provider_files,
            provider_prefix_hashes,
            hosted_hashes: hosted
                .keys()
                .map(|k| generated::folded_hash(generated::GenKind::Api, k, false))
                .collect(),
            hosted,
            license_ids,
            family_ids,
            index,
            license_files,
            family_files,
        })
    }

    /// The date of the knowledge: the newest date on which a source was checked or an
    /// index imported (`YYYY-MM-DD`).
    pub fn date(&self) -> String {
        let licenses = self.licenses.iter().map(|l| l.source.checked.as_str());
        let families = self.families.iter().flat_map(|f| {
            std::iter::once(f.source.checked.as_str())
                .chain(f.variant.iter().map(|v| v.source.checked.as_str()))
        });
        let generated = self.generated.sources.iter().map(|s| s.imported.as_str());
        licenses
            .chain(families)
            .chain(generated)
            .filter(|d| valid_date(d))
            .max()
            .unwrap_or("")
            .to_string()
    }

    /// A license by id or alias (case-insensitive).
    pub fn license(&self, id: &str) -> Option<&License> {
        self.license_ids
            .get(&id.to_lowercase())
            .map(|&i| &self.licenses[i])
    }

    /// The hosted entries named `name` (case-insensitive), optionally of one provider:
    /// (provider index, the entry).
    pub fn hosted(&self, name: &str, provider: Option<usize>) -> Option<(usize, &Hosted)> {
        if !self.may_be_hosted(name) {
            return None;
        }
        let key = name.to_ascii_lowercase();
        self.hosted
            .get(&key)?
            .iter()
            .find(|(p, _)| provider.is_none_or(|x| x == *p))
            .and_then(|&(p, h)| Some((p, self.providers.get(p)?.hosted.get(h)?)))
    }

    /// Whether `name` may be a hosted name: one hash probe, no allocation.
    #[inline]
    pub fn may_be_hosted(&self, name: &str) -> bool {
        !self.hosted_hashes.is_empty()
            && self.hosted_hashes.contains(&generated::folded_hash(
                generated::GenKind::Api,
                name,
                false,
            ))
    }

    /// The provider a prefix names (`groq`), case-insensitive.
    pub fn provider_of_prefix(&self, prefix: &str) -> Option<usize> {
        if !self
            .provider_prefix_hashes
            .contains(&generated::folded_hash(
                generated::GenKind::Hf,
                prefix,
                false,
            ))
        {
            return None;
        }
        self.vocab
            .provider_prefixes
            .iter()
            .find(|(p, _)| p.eq_ignore_ascii_case(prefix))
            .map(|(_, i)| *i)
    }

    /// The index of a family by id.
    pub fn family_index(&self, id: &str) -> Option<usize> {
        self.family_ids.get(id).copied()
    }

    /// A family by id.
    pub fn family(&self, id: &str) -> Option<&Family> {
        self.family_ids.get(id).map(|&i| &self.families[i])
    }

    /// The license of a family or variant. Always present (checked at load).
    pub fn license_of(&self, at: FamilyRef) -> &License {
        self.license_at(self.license_index_of(at))
    }

    /// The index of the license of a family or variant.
    pub fn license_index_of(&self, at: FamilyRef) -> usize {
        let Some(fam) = self.families.get(at.family) else {
            return 0;
        };
        let id = at
            .variant
            .and_then(|v| fam.variant.get(v))
            .map_or(&fam.license, |v| &v.license);
        self.license_index(id).unwrap_or(0)
    }

    /// The index of a license by id or alias (case-insensitive).
    pub fn license_index(&self, id: &str) -> Option<usize> {
        self.license_ids.get(&id.to_lowercase()).copied()
    }

    /// A license by index (the first license when out of range; indexes come from
    /// this base, so that does not happen).
    pub fn license_at(&self, i: usize) -> &License {
        &self.licenses[i.min(self.licenses.len().saturating_sub(1))]
    }

    /// The best match of `query` among patterns of one kind.
    pub fn best_match(&self, kind: PatternKind, query: &str) -> Option<Match> {
        self.index.best(kind, query)
    }

    /// Every match of `query` among patterns of one kind.
    pub fn all_matches(&self, kind: PatternKind, query: &str) -> Vec<Match> {
        self.index.all(kind, query)
    }

    /// Whether a word starts with the literal prefix of some bare-name pattern (API
    /// names, legacy ids, Ollama names): a cheap filter before glob matching.
    #[inline]
    pub fn bare_may_match(&self, word: &[u8]) -> bool {
        self.index.bare.may_match(word)
    }

    /// The openness ladder rung of a model under license `license` (an index), of
    /// family `at` when known. Without a family, training data and code count as
    /// undisclosed, so the best rung is "open weights, permissive".
    pub fn openness(&self, at: Option<FamilyRef>, license: usize) -> Openness {
        let fam = at.and_then(|a| self.families.get(a.family));
        if fam.is_some_and(|f| f.kind == ModelKind::Api) {
            return Openness::Closed;
        }
        let lic = self.license_at(license);
        // Without a family (a generated index's API name such as `o1`): a license only
        // closed API families use is a closed model's terms.
        if fam.is_none() {
            let (mut api, mut open) = (false, false);
            for f in self.families.iter().filter(|f| f.license == lic.id) {
                if f.kind == ModelKind::Api {
                    api = true;
                } else {
                    open = true;
                }
            }
            if api && !open {
                return Openness::Closed;
            }
        }
        let data = fam.map_or(Disclosure::Closed, |f| {
            at.and_then(|a| a.variant)
                .and_then(|v| f.variant.get(v))
                .and_then(|v| v.training_data)
                .unwrap_or(f.training_data)
        });
        let code = fam.map_or(Disclosure::Closed, |f| f.training_code);
        match lic.commercial.status {
            CommercialStatus::Prohibited => Openness::OpenWeightsNonCommercial,
            _ if is_permissive(lic) => {
                if lic.osi_approved && code == Disclosure::Open && data == Disclosure::Open {
                    Openness::OpenSourceAi
                } else {
                    Openness::OpenWeightsPermissive
                }
            }
            _ => Openness::OpenWeightsRestricted,
        }
    }
}

/// How restrictive a license is, for choosing the stricter of two answers: 0 for a
/// permissive license, 1 for one with conditions or bans, 2 for one that prohibits
/// commercial use.
pub fn rung(l: &License) -> u8 {
    if l.commercial.status == CommercialStatus::Prohibited {
        2
    } else if is_permissive(l) {
        0
    } else {
        1
    }
}

/// A license with no condition on use: commercial use allowed without conditions, no
/// banned fields, no restriction on outputs, no regional exclusion, no naming duty.
pub fn is_permissive(lic: &License) -> bool {
    lic.commercial.status == CommercialStatus::Allowed
        && lic.commercial.conditions.is_empty()
        && lic.field_of_use.is_empty()
        && lic.outputs.iter().all(|o| !o.clause.restricts())
        && lic.regions.is_empty()
        && lic
            .attribution
            .iter()
            .all(|a| a.kind == AttributionKind::Notice)
}

fn collect_toml(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(String, std::path::PathBuf)>,
    problems: &mut Vec<LoadProblem>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(LoadProblem {
                file: dir.display().to_string(),
                line: 0,
                column: 0,
                message: format!("cannot read the rules folder: {e}"),
            });
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            collect_toml(root, &path, out, problems);
        } else if ft.is_file() && path.extension().is_some_and(|e| e == "toml" || e == "tsv") {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, path));
        }
    }
}

/// Whether `d` is a calendar date written `YYYY-MM-DD`.
pub fn valid_date(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && d.get(5..7)
            .and_then(|m| m.parse::<u8>().ok())
            .is_some_and(|m| (1..=12).contains(&m))
        && d.get(8..10)
            .and_then(|m| m.parse::<u8>().ok())
            .is_some_and(|day| day >= 1 && day <= days_in_month(d))
}

/// Days in the month of a `YYYY-MM-..` date (0 when it does not parse).
fn days_in_month(d: &str) -> u8 {
    let year = d.get(0..4).and_then(|y| y.parse::<u32>().ok()).unwrap_or(0);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match d.get(5..7).and_then(|m| m.parse::<u8>().ok()) {
        Some(1 | 3 | 5 | 7 | 8 | 10 | 12) => 31,
        Some(4 | 6 | 9 | 11) => 30,
        Some(2) if leap => 29,
        Some(2) => 28,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a file reads as, in a form that can be compared.
    fn reading(name: &str, text: &str, snapshot: Option<&str>) -> String {
        match parse_one(name, text, snapshot) {
            Parsed::Licenses(r) => format!("{r:?}"),
            Parsed::Families(r) => format!("{r:?}"),
            Parsed::Libraries(r) => format!("{r:?}"),
            Parsed::Providers(r) => format!("{r:?}"),
            Parsed::Vocab(r) => format!("{r:?}"),
            Parsed::Generated(..) | Parsed::Other => String::new(),
        }
    }

    #[test]
    fn every_embedded_toml_file_has_a_snapshot_that_reads_as_its_text() {
        let mut checked = 0;
        for (name, text, snapshot) in embedded_sources() {
            if !name.ends_with(".toml") {
                assert!(snapshot.is_none(), "{name}: only TOML files have snapshots");
                continue;
            }
            let json = snapshot.unwrap_or_else(|| panic!("{name}: no snapshot"));
            let from_text = reading(&name, text, None);
            assert!(!from_text.starts_with("Err"), "{name}: {from_text}");
            // The snapshot is decoded directly, not through the fallback.
            let direct = match parse_one(&name, "", Some(json)) {
                Parsed::Other => String::new(),
                _ => reading(&name, "", Some(json)),
            };
            assert_eq!(direct, from_text, "{name}: the snapshot reads differently");
            checked += 1;
        }
        assert!(checked > 100, "only {checked} snapshots checked");
    }

    #[test]
    fn the_build_time_date_is_the_date_of_the_embedded_base() {
        let kb = KnowledgeBase::builtin_for_tests();
        assert_eq!(embedded_date(), kb.date());
        assert_eq!(kb.origin, Origin::Embedded);
    }

    #[test]
    fn a_snapshot_that_does_not_fit_falls_back_to_the_text_and_its_line() {
        let text = "id = \"x\"\nname = 3\n";
        let from_bad_snapshot = reading("licenses/x.toml", text, Some("{\"id\": 1}"));
        let from_text = reading("licenses/x.toml", text, None);
        assert!(from_text.starts_with("Err"), "{from_text}");
        assert_eq!(from_bad_snapshot, from_text);
    }
}
