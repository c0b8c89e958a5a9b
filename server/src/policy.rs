//! The project's policy: `fineprint.toml`, or `[tool.fineprint]` in `pyproject.toml`.
//!
//! Invariants:
//! * Parsing never falls back to defaults on a bad file: a syntax error, an unknown or
//!   duplicate key, a missing field, a wrong type, an unknown license id, finding code,
//!   region, field of use or severity, a bad glob or date, is a [`PolicyError`] naming
//!   the file, the line and the key path (`exceptions[1].expires`,
//!   `severity.non-commercial`, `tool.fineprint.use` in `pyproject.toml`; arrays of
//!   tables are indexed from 0, an entry of a list of strings is named by its list).
//!   Only a file that cannot be read at all has no line.
//! * A policy file is read only when it is a regular file (or a link to one) of at
//!   most [`MAX_POLICY_SIZE`] bytes; a folder, FIFO, socket, device or link to nothing
//!   where a policy file is looked for is an error, never a silent default, and a FIFO
//!   is never opened (see [`crate::regular_file`]).
//! * Loading is linear in the size of the file: lines come from one line index, and
//!   the globs of `allow`, `deny` and `exceptions` are each compiled into one
//!   [`GlobSet`], which also answers which entry a model or license matches (the
//!   first in file order). The lists are private so that they and their sets agree.
//! * Without any policy file the default is the cautious one: `use = "commercial"`.
//! * Every rule of a parsed policy remembers its line, so findings can point at the
//!   line that made them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::codes::{Code, Severity};
use crate::kb::{KnowledgeBase, line_col};
use crate::scope::{GlobList, PathRule, Scope};
use crate::text::LineIndex;

/// The largest policy file read (bytes); a larger one is an error.
pub const MAX_POLICY_SIZE: u64 = 1024 * 1024;

/// How the project uses models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UseCase {
    /// A product or service that makes money (the default).
    Commercial,
    /// Inside a company, not offered to others.
    Internal,
    /// Research without commercial use.
    Research,
    /// Personal, non-commercial use.
    Personal,
}

impl UseCase {
    /// Lowercase word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Commercial => "commercial",
            Self::Internal => "internal",
            Self::Research => "research",
            Self::Personal => "personal",
        }
    }
}

/// A severity override value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum SeverityValue {
    Error,
    Warning,
    Information,
    Hint,
    Off,
}

impl SeverityValue {
    /// The severity it names; `None` for `off`.
    fn level(self) -> Option<Severity> {
        match self {
            Self::Error => Some(Severity::Error),
            Self::Warning => Some(Severity::Warning),
            Self::Information => Some(Severity::Information),
            Self::Hint => Some(Severity::Hint),
            Self::Off => None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawException {
    model: Spanned<String>,
    reason: Spanned<String>,
    #[serde(default)]
    expires: Option<Spanned<toml::Value>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(rename = "use", default)]
    use_case: Option<Spanned<UseCase>>,
    #[serde(default)]
    monthly_active_users: Option<Spanned<u64>>,
    #[serde(default)]
    annual_revenue_usd: Option<Spanned<u64>>,
    #[serde(default)]
    monthly_revenue_usd: Option<Spanned<u64>>,
    #[serde(default)]
    regions: Vec<Spanned<String>>,
    #[serde(default)]
    purposes: Vec<Spanned<String>>,
    #[serde(default)]
    allow: Vec<Spanned<String>>,
    #[serde(default)]
    deny: Vec<Spanned<String>>,
    #[serde(default)]
    rules: Option<Spanned<String>>,
    #[serde(default)]
    severity: HashMap<String, Spanned<SeverityValue>>,
    #[serde(default)]
    exceptions: Vec<RawException>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    paths: Vec<RawPathRule>,
    #[serde(default)]
    path_defaults: Option<Spanned<bool>>,
    #[serde(default)]
    online: Option<Spanned<bool>>,
    #[serde(default)]
    online_max_age_days: Option<Spanned<u64>>,
    #[serde(default)]
    knowledge_pack_url: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPathRule {
    glob: Spanned<String>,
    severity: Spanned<SeverityValue>,
}

#[derive(Debug, Deserialize)]
struct PyProject {
    #[serde(default)]
    tool: Option<PyTool>,
}

#[derive(Debug, Deserialize)]
struct PyTool {
    #[serde(default)]
    fineprint: Option<RawPolicy>,
}

/// A policy file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line (0 when the file could not be read).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The key path concerned (`exceptions[0].expires`); `None` only when the file
    /// could not be read.
    pub key: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        write!(f, ": ")?;
        if let Some(k) = &self.key {
            write!(f, "`{k}`: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for PolicyError {}

/// A license glob of `allow` or `deny`.
#[derive(Debug, Clone)]
pub struct LicenseRule {
    /// As written.
    pub pattern: String,
    /// 1-based line in the policy file.
    pub line: usize,
}

/// A per-model exception.
#[derive(Debug, Clone)]
pub struct Exception {
    /// Model glob as written.
    pub model: String,
    /// Why the project accepts it.
    pub reason: String,
    /// Last day it applies (`YYYY-MM-DD`), if any.
    pub expires: Option<String>,
    /// 1-based line of the `model` key.
    pub line: usize,
}

impl Exception {
    /// Whether its reason is a placeholder rather than a reason: it starts with `TODO`,
    /// `FIXME`, `TBD` or `XXX` (any case), or is only punctuation. (An empty reason is
    /// refused when the policy is read.)
    pub fn reason_is_placeholder(&self) -> bool {
        let r = self.reason.trim().to_ascii_lowercase();
        let word: String = r.chars().take_while(char::is_ascii_alphabetic).collect();
        matches!(word.as_str(), "todo" | "fixme" | "tbd" | "xxx")
            || !r.chars().any(char::is_alphanumeric)
    }

    /// Whether it has expired on `today` (`YYYY-MM-DD`).
    pub fn expired(&self, today: &str) -> bool {
        self.expires.as_deref().is_some_and(|e| e < today)
    }
}

/// The policy in force.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Use case.
    pub use_case: UseCase,
    /// Declared monthly active users.
    pub monthly_active_users: Option<u64>,
    /// Declared yearly revenue (USD).
    pub annual_revenue_usd: Option<u64>,
    /// Declared monthly revenue (USD).
    pub monthly_revenue_usd: Option<u64>,
    /// Regions the project operates in (uppercase; `EU` or ISO codes).
    pub regions: Vec<String>,
    /// Fields of use the project serves.
    pub purposes: Vec<String>,
    /// Licenses accepted ([`Policy::allow`]).
    allow: Vec<LicenseRule>,
    /// Licenses refused ([`Policy::deny`]).
    deny: Vec<LicenseRule>,
    /// Per-model exceptions ([`Policy::exceptions`]).
    exceptions: Vec<Exception>,
    /// The globs of `allow`, `deny` and `exceptions`, entry `i` of a set being entry
    /// `i` of its list.
    sets: Sets,
    /// Severity overrides (`None`: off).
    pub severity: HashMap<Code, Option<Severity>>,
    /// Extra rules folder, resolved against the policy file's folder.
    pub rules_dir: Option<PathBuf>,
    /// The file it came from.
    pub file: Option<PathBuf>,
    /// Line of each top-level key, for related information.
    pub key_lines: HashMap<String, usize>,
    /// Excluded files and per-path severity caps ([`crate::scope`]).
    pub scope: Scope,
    /// `online = true`: resolve unknown Hub ids through the Hub ([`crate::online`]).
    pub online: bool,
    /// `online_max_age_days`: cached Hub answers older than this are fetched again.
    pub online_max_age_days: Option<u64>,
    /// `knowledge_pack_url`: where `fineprint update` fetches knowledge packs.
    pub knowledge_pack_url: Option<String>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            use_case: UseCase::Commercial,
            monthly_active_users: None,
            annual_revenue_usd: None,
            monthly_revenue_usd: None,
            regions: Vec::new(),
            purposes: Vec::new(),
            allow: Vec::new(),
            deny: Vec::new(),
            exceptions: Vec::new(),
            sets: Sets::default(),
            severity: HashMap::new(),
            rules_dir: None,
            file: None,
            key_lines: HashMap::new(),
            scope: Scope::default(),
            online: false,
            online_max_age_days: None,
            knowledge_pack_url: None,
        }
    }
}

/// The compiled globs of a policy's lists.
#[derive(Debug, Clone)]
struct Sets {
    allow: GlobSet,
    deny: GlobSet,
    exceptions: GlobSet,
}

impl Default for Sets {
    fn default() -> Self {
        Self {
            allow: GlobSet::empty(),
            deny: GlobSet::empty(),
            exceptions: GlobSet::empty(),
        }
    }
}

/// The index of the first glob of `set` matching any of `texts` (lowercased).
fn first_match(set: &GlobSet, texts: &[&str]) -> Option<usize> {
    texts
        .iter()
        .filter_map(|t| set.matches(t.to_ascii_lowercase()).into_iter().min())
        .min()
}

/// Today's date as `YYYY-MM-DD` (UTC), or `FINEPRINT_TODAY` when set (for tests).
pub fn today() -> String {
    if let Ok(d) = std::env::var("FINEPRINT_TODAY") {
        return d;
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// (year, month, day) of a count of days since 1970-01-01 (proleptic Gregorian).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Names of policy files, in the order they are looked for in a folder.
pub const POLICY_FILES: [&str; 2] = ["fineprint.toml", "pyproject.toml"];

impl Policy {
    /// Finds the policy for a workspace: `fineprint.toml`, else `[tool.fineprint]` of
    /// `pyproject.toml`, in `start` or the nearest folder above it (stopping at a
    /// folder that holds `.git`). `Ok(None)` when there is none. A name that is there
    /// but is not a readable regular file (a folder, a link to nothing) is an error.
    pub fn discover(start: &Path, kb: &KnowledgeBase) -> Result<Option<Self>, PolicyError> {
        let mut dir = Some(start);
        while let Some(d) = dir {
            let fp = d.join("fineprint.toml");
            if present(&fp) {
                return Self::from_file(&fp, kb).map(Some);
            }
            let py = d.join("pyproject.toml");
            if present(&py)
                && let Some(p) = Self::from_pyproject_file(&py, kb)?
            {
                return Ok(Some(p));
            }
            if d.join(".git").exists() {
                break;
            }
            dir = d.parent();
        }
        Ok(None)
    }

    /// Reads a policy file; `pyproject.toml` is read for its `[tool.fineprint]` table
    /// (and an empty policy when it has none).
    pub fn from_file(path: &Path, kb: &KnowledgeBase) -> Result<Self, PolicyError> {
        if path.file_name().is_some_and(|n| n == "pyproject.toml") {
            return Self::from_pyproject_file(path, kb).map(Option::unwrap_or_default);
        }
        let text = read_file(path)?;
        Self::parse(&text, path, kb)
    }

    fn from_pyproject_file(path: &Path, kb: &KnowledgeBase) -> Result<Option<Self>, PolicyError> {
        let text = read_file(path)?;
        Self::parse_pyproject(&text, path, kb)
    }

    /// Parses the text of a `fineprint.toml`.
    pub fn parse(text: &str, path: &Path, kb: &KnowledgeBase) -> Result<Self, PolicyError> {
        let raw: RawPolicy = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        Self::build(raw, text, path, "", kb)
    }

    /// Parses the text of a `pyproject.toml`; `Ok(None)` without `[tool.fineprint]`.
    pub fn parse_pyproject(
        text: &str,
        path: &Path,
        kb: &KnowledgeBase,
    ) -> Result<Option<Self>, PolicyError> {
        let raw: PyProject = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        match raw.tool.and_then(|t| t.fineprint) {
            Some(p) => Self::build(p, text, path, "tool.fineprint", kb).map(Some),
            None => Ok(None),
        }
    }

    /// `prefix`: the path of the policy's table in the file (`tool.fineprint` in
    /// `pyproject.toml`), for keys the syntax tree cannot place.
    fn build(
        raw: RawPolicy,
        text: &str,
        path: &Path,
        prefix: &str,
        kb: &KnowledgeBase,
    ) -> Result<Self, PolicyError> {
        let at = Places {
            text,
            path,
            prefix,
            lines: LineIndex::new(text),
        };
        let mut p = Self {
            file: Some(path.to_path_buf()),
            ..Self::default()
        };
        if let Some(u) = &raw.use_case {
            p.use_case = *u.get_ref();
            p.key_lines.insert("use".into(), at.line(u.span()));
        }
        for (key, val, slot) in [
            (
                "monthly_active_users",
                &raw.monthly_active_users,
                &mut p.monthly_active_users,
            ),
            (
                "annual_revenue_usd",
                &raw.annual_revenue_usd,
                &mut p.annual_revenue_usd,
            ),
            (
                "monthly_revenue_usd",
                &raw.monthly_revenue_usd,
                &mut p.monthly_revenue_usd,
            ),
        ] {
            if let Some(v) = val {
                *slot = Some(*v.get_ref());
                p.key_lines.insert(key.into(), at.line(v.span()));
            }
        }
        for r in &raw.regions {
            let code = r.get_ref().trim();
            if !crate::regions::is_known(code) {
                return Err(at.err(r.span(), "regions", crate::regions::why_unknown(code)));
            }
            p.key_lines
                .entry("regions".into())
                .or_insert_with(|| at.line(r.span()));
            p.regions.push(code.to_string());
        }
        for f in &raw.purposes {
            let v = f.get_ref().trim().to_ascii_lowercase();
            if !kb.vocab.fields_of_use.contains(&v) {
                return Err(at.err(
                    f.span(),
                    "purposes",
                    format!(
                        "unknown field of use {:?}: expected one of {}",
                        f.get_ref(),
                        kb.vocab.fields_of_use.join(", ")
                    ),
                ));
            }
            p.key_lines
                .entry("purposes".into())
                .or_insert_with(|| at.line(f.span()));
            p.purposes.push(v);
        }
        (p.allow, p.sets.allow) = license_rules(&at, "allow", &raw.allow, kb)?;
        (p.deny, p.sets.deny) = license_rules(&at, "deny", &raw.deny, kb)?;
        if let Some(r) = &raw.rules {
            let dir = path.parent().unwrap_or(Path::new(".")).join(r.get_ref());
            p.key_lines.insert("rules".into(), at.line(r.span()));
            p.rules_dir = Some(dir);
        }
        for (code, sev) in &raw.severity {
            let Some(c) = Code::parse(code) else {
                return Err(at.err(
                    sev.span(),
                    "severity",
                    format!(
                        "unknown finding code {code:?}: expected one of {}",
                        Code::ALL
                            .iter()
                            .map(|c| c.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            };
            p.severity.insert(c, sev.get_ref().level());
        }
        (p.exceptions, p.sets.exceptions) = exceptions(&at, &raw.exceptions)?;
        for (key, span) in [
            ("exclude", raw.exclude.first().map(Spanned::span)),
            ("paths", raw.paths.first().map(|r| r.glob.span())),
            (
                "path_defaults",
                raw.path_defaults.as_ref().map(Spanned::span),
            ),
        ] {
            if let Some(span) = span {
                p.key_lines.insert(key.into(), at.line(span));
            }
        }
        p.scope = scope(&at, &raw, path)?;
        if let Some(o) = &raw.online {
            p.online = *o.get_ref();
            p.key_lines.insert("online".into(), at.line(o.span()));
        }
        if let Some(d) = &raw.online_max_age_days {
            p.online_max_age_days = Some(*d.get_ref());
            p.key_lines
                .insert("online_max_age_days".into(), at.line(d.span()));
        }
        if let Some(u) = &raw.knowledge_pack_url {
            let url = u.get_ref().trim();
            let lower = url.to_ascii_lowercase();
            if !(lower.starts_with("https://") || lower.starts_with("http://")) {
                return Err(at.err(
                    u.span(),
                    "knowledge_pack_url",
                    format!("{url:?} is not an http:// or https:// URL"),
                ));
            }
            p.key_lines
                .insert("knowledge_pack_url".into(), at.line(u.span()));
            p.knowledge_pack_url = Some(url.to_string());
        }
        Ok(p)
    }

    /// Licenses accepted, in file order.
    pub fn allow(&self) -> &[LicenseRule] {
        &self.allow
    }

    /// Licenses refused, in file order.
    pub fn deny(&self) -> &[LicenseRule] {
        &self.deny
    }

    /// Per-model exceptions, in file order.
    pub fn exceptions(&self) -> &[Exception] {
        &self.exceptions
    }

    /// The first `allow` rule (in file order) covering a license id.
    pub fn allowed_by(&self, license: &str) -> Option<&LicenseRule> {
        first_match(&self.sets.allow, &[license]).and_then(|i| self.allow.get(i))
    }

    /// The first `deny` rule (in file order) covering a license id.
    pub fn denied_by(&self, license: &str) -> Option<&LicenseRule> {
        first_match(&self.sets.deny, &[license]).and_then(|i| self.deny.get(i))
    }

    /// The first exception (in file order) covering a model id or reference text.
    pub fn exception_for(&self, id: &str, text: &str) -> Option<&Exception> {
        first_match(&self.sets.exceptions, &[id, text]).and_then(|i| self.exceptions.get(i))
    }

    /// Marks in `used` (one flag per exception) every exception covering `text`.
    pub fn mark_exceptions(&self, text: &str, used: &mut [bool]) {
        for i in self.sets.exceptions.matches(text.to_ascii_lowercase()) {
            if let Some(u) = used.get_mut(i) {
                *u = true;
            }
        }
    }

    /// The severity of a finding after the policy's overrides (`None`: off).
    pub fn severity_of(&self, code: Code, default: Severity) -> Option<Severity> {
        match self.severity.get(&code) {
            Some(s) => *s,
            None => Some(default),
        }
    }

    /// Whether a policy region falls under an excluded region (`DE` under `EU`).
    pub fn region_hit(&self, excluded: &[String], kb: &KnowledgeBase) -> Option<String> {
        for r in &self.regions {
            for x in excluded {
                let x = x.to_ascii_uppercase();
                if *r == x || (x == "EU" && kb.vocab.eu_members.iter().any(|m| m == r)) {
                    return Some(r.clone());
                }
            }
        }
        None
    }
}

/// Whether something (a file, a folder, a link even to nothing) is at `path`: where a
/// policy file is looked for, anything there must be a readable policy.
pub fn present(path: &Path) -> bool {
    path.symlink_metadata().is_ok()
}

/// The text of a policy file: a regular file (or a link to one) of at most
/// [`MAX_POLICY_SIZE`] bytes, in UTF-8. Anything else is an error naming the file.
pub fn read_file(path: &Path) -> Result<String, PolicyError> {
    let bytes = crate::regular_file::read(path, MAX_POLICY_SIZE).map_err(|e| PolicyError {
        file: path.to_path_buf(),
        line: 0,
        column: 0,
        key: None,
        message: format!("cannot read the policy file: {e}"),
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(e.as_bytes());
        let (line, column) = line_col(&text, at);
        PolicyError {
            file: path.to_path_buf(),
            line,
            column,
            key: key_path_at(&text, at),
            message: format!(
                "the file is not UTF-8: byte 0x{:02X} is not text",
                e.as_bytes().get(at).copied().unwrap_or_default()
            ),
        }
    })
}

/// Where things are in a policy text, for lines and errors.
struct Places<'a> {
    text: &'a str,
    path: &'a Path,
    /// The path of the policy's table in the file (`tool.fineprint`), or empty.
    prefix: &'a str,
    lines: LineIndex,
}

impl Places<'_> {
    /// The 1-based line of a span's start.
    fn line(&self, span: std::ops::Range<usize>) -> usize {
        self.lines.line_of(span.start) + 1
    }

    /// An error at a span. `key`: the key as the policy names it, used when the syntax
    /// tree does not place the span (the tree is the authority: it knows indices and
    /// prefixes).
    fn err(&self, span: std::ops::Range<usize>, key: &str, message: String) -> PolicyError {
        let (line, column) = line_col(self.text, span.start);
        PolicyError {
            file: self.path.to_path_buf(),
            line,
            column,
            key: Some(key_path_at(self.text, span.start).unwrap_or_else(|| join(self.prefix, key))),
            message,
        }
    }
}

/// The rules of `allow` or `deny` (`key`) and their glob set. Every glob must match
/// a license id or alias of the knowledge base; each id is matched once against the
/// set, so the cost is linear in the globs and in the licenses.
fn license_rules(
    at: &Places<'_>,
    key: &str,
    list: &[Spanned<String>],
    kb: &KnowledgeBase,
) -> Result<(Vec<LicenseRule>, GlobSet), PolicyError> {
    let mut builder = GlobSetBuilder::new();
    let mut rules = Vec::with_capacity(list.len());
    for g in list {
        let pat = g.get_ref().trim().to_ascii_lowercase();
        let glob = Glob::new(&pat).map_err(|e| {
            at.err(
                g.span(),
                key,
                format!("`{}` is not a valid glob: {e}", g.get_ref()),
            )
        })?;
        builder.add(glob);
        rules.push(LicenseRule {
            pattern: pat,
            line: at.line(g.span()),
        });
    }
    let set = build_set(at, key, list.first().map(Spanned::span), &builder)?;
    let mut known = vec![false; list.len()];
    for l in &kb.licenses {
        let aliases = l.aliases.iter().map(|a| a.to_ascii_lowercase());
        for name in std::iter::once(l.id.clone()).chain(aliases) {
            for i in set.matches(&name) {
                if let Some(k) = known.get_mut(i) {
                    *k = true;
                }
            }
        }
    }
    if let Some(g) = list.iter().zip(&known).find(|(_, k)| !**k).map(|(g, _)| g) {
        return Err(at.err(
            g.span(),
            key,
            format!(
                "unknown license id `{}`: no license in the knowledge base matches it (see `fineprint explain --list` or docs/models.md)",
                g.get_ref()
            ),
        ));
    }
    Ok((rules, set))
}

/// The scope of a policy: its `exclude` globs and `[[paths]]` rules, relative to the
/// policy file's folder, with the default rules unless `path_defaults = false`.
fn scope(at: &Places<'_>, raw: &RawPolicy, path: &Path) -> Result<Scope, PolicyError> {
    let exclude: Vec<String> = raw.exclude.iter().map(|g| g.get_ref().clone()).collect();
    let rules: Vec<PathRule> = raw
        .paths
        .iter()
        .map(|r| PathRule {
            glob: r.glob.get_ref().clone(),
            cap: r.severity.get_ref().level(),
            line: Some(at.line(r.glob.span())),
        })
        .collect();
    let defaults = raw.path_defaults.as_ref().is_none_or(|d| *d.get_ref());
    let base = path.parent().filter(|d| !d.as_os_str().is_empty());
    let base = base.unwrap_or(Path::new("."));
    Scope::new(exclude, rules, defaults, Some(base)).map_err(|(list, i, why)| {
        let (key, span) = match list {
            GlobList::Exclude => ("exclude", raw.exclude.get(i).map(Spanned::span)),
            GlobList::Paths => ("paths.glob", raw.paths.get(i).map(|r| r.glob.span())),
        };
        at.err(
            span.unwrap_or(0..0),
            key,
            format!("not a valid glob: {why}"),
        )
    })
}

/// The `[[exceptions]]` entries and the set of their model globs.
fn exceptions(
    at: &Places<'_>,
    raw: &[RawException],
) -> Result<(Vec<Exception>, GlobSet), PolicyError> {
    let mut builder = GlobSetBuilder::new();
    let mut out = Vec::with_capacity(raw.len());
    for e in raw {
        let pat = e.model.get_ref().trim().to_ascii_lowercase();
        if pat.is_empty() {
            return Err(at.err(
                e.model.span(),
                "exceptions.model",
                "expected a model id or glob, found an empty string".into(),
            ));
        }
        if e.reason.get_ref().trim().is_empty() {
            return Err(at.err(
                e.reason.span(),
                "exceptions.reason",
                "an exception needs a reason: expected text, found an empty string".into(),
            ));
        }
        let glob = Glob::new(&pat).map_err(|x| {
            at.err(
                e.model.span(),
                "exceptions.model",
                format!("`{}` is not a valid glob: {x}", e.model.get_ref()),
            )
        })?;
        builder.add(glob);
        let expires = match &e.expires {
            None => None,
            Some(v) => Some(expiry(at, v)?),
        };
        out.push(Exception {
            model: e.model.get_ref().clone(),
            reason: e.reason.get_ref().clone(),
            expires,
            line: at.line(e.model.span()),
        });
    }
    let set = build_set(
        at,
        "exceptions",
        raw.first().map(|e| e.model.span()),
        &builder,
    )?;
    Ok((out, set))
}

/// An `expires` value as `YYYY-MM-DD`.
fn expiry(at: &Places<'_>, v: &Spanned<toml::Value>) -> Result<String, PolicyError> {
    let (s, shown) = match v.get_ref() {
        toml::Value::String(s) => (s.clone(), format!("{s:?}")),
        toml::Value::Datetime(d) => (d.to_string(), d.to_string()),
        other => (other.to_string(), other.to_string()),
    };
    if !crate::kb::valid_date(&s) {
        return Err(at.err(
            v.span(),
            "exceptions.expires",
            format!("expected a date YYYY-MM-DD (e.g. expires = 2027-06-30), found {shown}"),
        ));
    }
    Ok(s)
}

/// Compiles a list's globs; the error (a set too large for the matcher) is placed at
/// the list's first entry.
fn build_set(
    at: &Places<'_>,
    key: &str,
    first: Option<std::ops::Range<usize>>,
    builder: &GlobSetBuilder,
) -> Result<GlobSet, PolicyError> {
    builder.build().map_err(|e| {
        at.err(
            first.unwrap_or(0..0),
            key,
            format!("the globs of `{key}` cannot be compiled together: {e}"),
        )
    })
}

fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> PolicyError {
    let at = e.span().map_or(text.len(), |s| s.start);
    let (line, column) = line_col(text, at);
    let found = e.span().and_then(|s| text.get(s)).unwrap_or_default();
    let message = rephrase(e.message().trim(), found);
    let mut key = key_path_at(text, at);
    // The span of a missing field is its table: name the field in it.
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next())
    {
        key = Some(join(key.as_deref().unwrap_or_default(), field));
    }
    PolicyError {
        file: path.to_path_buf(),
        line,
        column,
        key,
        message,
    }
}

/// serde's "invalid type: string \"many\", expected u64" as "expected a whole number
/// (e.g. 10_000_000), found string \"many\""; `found`: the text at the error.
fn rephrase(message: &str, found: &str) -> String {
    if found.trim().is_empty() && message.starts_with("string values must be quoted") {
        // `key = ` and nothing after it.
        return "expected a value, found nothing".into();
    }
    if message == "wanted string or table" {
        // A value of an enum (`use`, a severity) that is not a string.
        return format!("expected a string, found `{found}`");
    }
    let rest = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "));
    let Some((found, expected)) = rest.and_then(|r| r.split_once(", expected ")) else {
        return message.to_string();
    };
    let expected = match expected {
        "u64" | "i64" => "a whole number (e.g. 10_000_000)",
        "a sequence" => "a list (e.g. [\"apache-2.0\"])",
        "a map" | "map" => "a table",
        e if e.starts_with("struct ") => "a table",
        e => e,
    };
    let found = found.replace("map", "table").replace("sequence", "list");
    format!("expected {expected}, found {found}")
}

/// `prefix.key`, quoting a key that is not a bare TOML key.
fn join(prefix: &str, key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let key = if bare {
        key.to_string()
    } else {
        format!("{key:?}")
    };
    if prefix.is_empty() {
        key
    } else {
        format!("{prefix}.{key}")
    }
}

/// The key path of what is at `offset` in a policy text: the key, or the key whose
/// value it is (`exceptions[1].expires`, `severity.non-commercial`; an entry of a list
/// of strings is named by its list, `allow`). Found in the syntax tree, which the
/// parser recovers even from a broken file; where the tree has nothing at `offset`
/// (a duplicate key), the bare key written there, under the table whose header comes
/// last before it. `None` when neither names a key.
fn key_path_at(text: &str, offset: usize) -> Option<String> {
    use toml::de::{DeTable, DeValue};

    /// The best candidate so far: (touches the span only at its end, span length,
    /// fewer path segments), then the path; the smallest wins.
    type Best = Option<((bool, usize, std::cmp::Reverse<usize>), String)>;

    struct Walk<'t> {
        text: &'t str,
        offset: usize,
        best: Best,
        /// Table headers (`[severity]`, `[[exceptions]]`): where they start, their path.
        headers: Vec<(usize, String)>,
    }

    impl Walk<'_> {
        fn consider(&mut self, span: std::ops::Range<usize>, path: &str) {
            let at = self.offset;
            if span.start > at || at > span.end {
                return;
            }
            let rank = (
                at == span.end && span.start != span.end,
                span.len(),
                std::cmp::Reverse(path.matches(['.', '[']).count()),
            );
            if self.best.as_ref().is_none_or(|(r, _)| rank < *r) {
                self.best = Some((rank, path.to_string()));
            }
        }

        fn header(&mut self, span: &std::ops::Range<usize>, path: &str) {
            if self
                .text
                .get(span.clone())
                .is_some_and(|h| h.starts_with('['))
            {
                self.headers.push((span.start, path.to_string()));
            }
        }

        fn table(&mut self, t: &DeTable<'_>, prefix: &str) {
            for (k, v) in t.iter() {
                let path = join(prefix, k.get_ref());
                self.consider(k.span(), &path);
                self.consider(v.span(), &path);
                self.value(v.get_ref(), &v.span(), &path);
            }
        }

        fn value(&mut self, v: &DeValue<'_>, span: &std::ops::Range<usize>, path: &str) {
            match v {
                DeValue::Table(t) => {
                    self.header(span, path);
                    self.table(t, path);
                }
                DeValue::Array(a) => {
                    for (i, e) in a.iter().enumerate() {
                        if let DeValue::Table(_) = e.get_ref() {
                            let item = format!("{path}[{i}]");
                            self.consider(e.span(), &item);
                            self.value(e.get_ref(), &e.span(), &item);
                        } else {
                            self.consider(e.span(), path);
                            self.value(e.get_ref(), &e.span(), path);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    let (root, _errors) = DeTable::parse_recoverable(text);
    let mut w = Walk {
        text,
        offset,
        best: None,
        headers: Vec::new(),
    };
    w.table(root.get_ref(), "");
    if let Some((_, path)) = w.best {
        return Some(path);
    }
    let under = w
        .headers
        .iter()
        .filter(|(start, _)| *start <= offset)
        .max_by_key(|(start, _)| *start)
        .map(|(_, p)| p.as_str())
        .unwrap_or_default();
    let key: String = text
        .get(offset..)
        .unwrap_or_default()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    match (under.is_empty(), key.is_empty()) {
        (_, false) => Some(join(under, &key)),
        (false, true) => Some(under.to_string()),
        (true, true) => None,
    }
}

/// Placeholder reason written by the "add an exception" action.
pub const REASON_PLACEHOLDER: &str = "TODO: why this model is acceptable here";

/// The text of a policy file after adding an exception for `model`, keeping the
/// file's comments and formatting (`existing` is `None` when there is no file yet).
/// Returns `None` when the existing text is not valid TOML.
/// In a `pyproject.toml` (`pyproject = true`) the exception goes under `[tool.fineprint]`.
pub fn with_exception(existing: Option<&str>, model: &str, pyproject: bool) -> Option<String> {
    let mut doc: toml_edit::DocumentMut = match existing {
        Some(t) => t.parse().ok()?,
        None => "# fineprint policy: see docs/policy.md\nuse = \"commercial\"\n"
            .parse()
            .ok()?,
    };
    let mut table = toml_edit::Table::new();
    table.insert("model", toml_edit::value(model));
    table.insert("reason", toml_edit::value(REASON_PLACEHOLDER));
    let root: &mut toml_edit::Table = if pyproject {
        let tool = doc
            .entry("tool")
            .or_insert(toml_edit::table())
            .as_table_mut()?;
        tool.set_implicit(true);
        tool.entry("fineprint")
            .or_insert(toml_edit::table())
            .as_table_mut()?
    } else {
        doc.as_table_mut()
    };
    let item = root
        .entry("exceptions")
        .or_insert(toml_edit::Item::ArrayOfTables(
            toml_edit::ArrayOfTables::new(),
        ));
    item.as_array_of_tables_mut()?.push(table);
    Some(doc.to_string())
}

/// Documentation of each policy key, for hovers in `fineprint.toml`.
pub const KEY_DOCS: &[(&str, &str)] = &[
    (
        "use",
        "How the project uses models: `commercial` (default), `internal`, `research` or `personal`. Decides the default severity of each finding.",
    ),
    (
        "monthly_active_users",
        "Monthly active users of the project (or company), compared with user thresholds such as Llama's 700M.",
    ),
    (
        "annual_revenue_usd",
        "Yearly revenue in US dollars, compared with revenue thresholds (Stability AI Community License: $1M).",
    ),
    (
        "monthly_revenue_usd",
        "Monthly revenue in US dollars, compared with monthly revenue thresholds.",
    ),
    (
        "regions",
        "Where the project operates: `EU` or ISO 3166 codes (`DE` falls under an `EU` exclusion). Compared with regional exclusions.",
    ),
    (
        "purposes",
        "Fields of use the project serves (`military`, `surveillance`, ...), compared with field-of-use bans.",
    ),
    (
        "allow",
        "License ids or globs the project has reviewed and accepts; with a non-empty list, other licenses are `license-not-allowed`.",
    ),
    (
        "deny",
        "License ids or globs the project refuses (`license-denied`), e.g. `cc-by-nc-*`.",
    ),
    (
        "rules",
        "An extra rules folder (same layout as `rules/`), relative to this file.",
    ),
    (
        "knowledge_pack_url",
        "Where `fineprint update` downloads knowledge packs (default: the project's latest release); docs/knowledge-packs.md.",
    ),
    (
        "severity",
        "Overrides of finding severities: `code = \"error\" | \"warning\" | \"information\" | \"hint\" | \"off\"`.",
    ),
    (
        "exceptions",
        "Models the project accepts whatever their findings: `model` (glob), `reason`, optional `expires` (date).",
    ),
    (
        "model",
        "Exception: a glob matched against the model id and the reference text.",
    ),
    (
        "reason",
        "Exception: why the project accepts this model (required).",
    ),
    (
        "expires",
        "Exception: the last day it applies (`YYYY-MM-DD`); after it the findings come back.",
    ),
];
