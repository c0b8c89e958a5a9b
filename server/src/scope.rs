//! Scope: which files a policy has checked, and how loud findings are in each.
//!
//! A policy may list `exclude` globs (files never read) and `[[paths]]` rules (a glob
//! and a severity cap: findings in matching files are at most that severe, or hidden
//! with `"off"`). Unless it says `path_defaults = false`, a policy also has the
//! [`DEFAULT_PATHS`] rules, after its own: tests and fixtures are not what a project
//! ships, so their findings are information (they still appear in the inventory, the
//! hover and `--all`).
//!
//! Invariants:
//! * Globs match paths relative to the policy file's folder, with `/` separators; a
//!   file outside that folder (or any file without a policy file) is matched by its
//!   path relative to the folder being checked (the workspace in the editor); failing
//!   that, a relative path as given, and an absolute one by its file name alone. The
//!   folders above the project never take part: a project that lives under a folder
//!   called `tests` is not a test. Matching ignores ASCII case.
//! * The first `[[paths]]` rule in file order that matches decides; the policy's own
//!   rules come before the defaults, so a policy can override a default by naming the
//!   same files.
//! * A cap never raises a severity: `cap(Hint)` of an error is a hint, `cap(Error)` of
//!   a hint is a hint.
//! * Matching costs one pass over each glob set per file (no per-rule loop).

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::codes::Severity;

/// The built-in `[[paths]]` rules: (glob, cap). Documented in `docs/policy.md`.
pub const DEFAULT_PATHS: [(&str, Severity); 12] = [
    ("**/tests/**", Severity::Information),
    ("**/test/**", Severity::Information),
    ("**/testdata/**", Severity::Information),
    ("**/test_data/**", Severity::Information),
    ("**/__tests__/**", Severity::Information),
    ("**/fixtures/**", Severity::Information),
    ("**/test_*.py", Severity::Information),
    ("**/*_test.py", Severity::Information),
    ("**/conftest.py", Severity::Information),
    ("**/*_test.go", Severity::Information),
    ("**/*.test.*", Severity::Information),
    ("**/*.spec.*", Severity::Information),
];

/// One `[[paths]]` rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRule {
    /// The glob as written.
    pub glob: String,
    /// The loudest severity a finding in a matching file keeps; `None` hides findings.
    pub cap: Option<Severity>,
    /// Its line in the policy file; `None` for a built-in default.
    pub line: Option<usize>,
}

/// A policy's scope: excluded files and path rules, with their compiled sets.
#[derive(Debug, Clone)]
pub struct Scope {
    exclude: Vec<String>,
    exclude_set: GlobSet,
    rules: Vec<PathRule>,
    rules_set: GlobSet,
    /// The policy file's folder, absolute; `None` without a policy file.
    base: Option<PathBuf>,
}

impl Default for Scope {
    /// The scope of a project without a policy file: the default path rules.
    fn default() -> Self {
        Self::new(Vec::new(), Vec::new(), true, None).unwrap_or_else(|_| Self::empty())
    }
}

impl Scope {
    /// No exclusion and no rule.
    pub fn empty() -> Self {
        Self {
            exclude: Vec::new(),
            exclude_set: GlobSet::empty(),
            rules: Vec::new(),
            rules_set: GlobSet::empty(),
            base: None,
        }
    }

    /// A scope from a policy's `exclude` globs and `[[paths]]` rules (the defaults
    /// appended when `defaults`), relative to `base`. Err: the index of the first glob
    /// that does not compile (into `exclude`, then into `rules`), and why.
    pub fn new(
        exclude: Vec<String>,
        mut rules: Vec<PathRule>,
        defaults: bool,
        base: Option<&Path>,
    ) -> Result<Self, (GlobList, usize, String)> {
        if defaults {
            rules.extend(DEFAULT_PATHS.iter().map(|(g, cap)| PathRule {
                glob: (*g).to_string(),
                cap: Some(*cap),
                line: None,
            }));
        }
        let exclude_set = compile(exclude.iter().map(String::as_str))
            .map_err(|(i, e)| (GlobList::Exclude, i, e))?;
        let rules_set = compile(rules.iter().map(|r| r.glob.as_str()))
            .map_err(|(i, e)| (GlobList::Paths, i, e))?;
        Ok(Self {
            exclude,
            exclude_set,
            rules,
            rules_set,
            base: base.map(absolute),
        })
    }

    /// The `exclude` globs as written.
    pub fn exclude(&self) -> &[String] {
        &self.exclude
    }

    /// The path rules in the order they are tried (the policy's, then the defaults).
    pub fn rules(&self) -> &[PathRule] {
        &self.rules
    }

    /// The path a glob is matched against (see the module's invariants), lowercased:
    /// relative to the policy's folder, else to `root` (the folder checked), else the
    /// path as given when relative, else the file name.
    fn key(&self, path: &Path, root: Option<&Path>) -> String {
        let abs = absolute(path);
        let under = |base: &Path| {
            abs.strip_prefix(base)
                .ok()
                .map(|r| r.to_string_lossy().into_owned())
        };
        let root = root.map(absolute);
        let rel = self
            .base
            .as_deref()
            .and_then(under)
            .or_else(|| root.as_deref().and_then(under))
            .or_else(|| {
                path.is_relative()
                    .then(|| path.to_string_lossy().into_owned())
            })
            .or_else(|| path.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_default();
        let rel = rel.replace('\\', "/");
        rel.trim_start_matches("./").to_ascii_lowercase()
    }

    /// Whether the file (or folder) at `path`, checked under `root`, is excluded.
    pub fn excluded(&self, path: &Path, root: Option<&Path>) -> bool {
        !self.exclude.is_empty() && self.exclude_set.is_match(self.key(path, root))
    }

    /// The rule that decides for the file at `path`, checked under `root`, if any.
    pub fn rule_for(&self, path: &Path, root: Option<&Path>) -> Option<&PathRule> {
        if self.rules.is_empty() {
            return None;
        }
        let i = self
            .rules_set
            .matches(self.key(path, root))
            .into_iter()
            .min()?;
        self.rules.get(i)
    }
}

/// Which list of globs an error is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlobList {
    /// `exclude`.
    Exclude,
    /// `[[paths]]`.
    Paths,
}

/// `severity` capped at `cap` (`None`: hidden).
pub fn capped(severity: Severity, cap: Option<Severity>) -> Option<Severity> {
    // `Severity` orders from the loudest (Error) to the quietest (Hint).
    cap.map(|c| severity.max(c))
}

/// A path made absolute against the working directory, without touching the disk.
fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// One set of `globs` (matched case-insensitively); Err: the index of a bad glob.
fn compile<'a>(globs: impl Iterator<Item = &'a str>) -> Result<GlobSet, (usize, String)> {
    let mut b = GlobSetBuilder::new();
    for (i, g) in globs.enumerate() {
        let glob = Glob::new(&g.trim().to_ascii_lowercase()).map_err(|e| (i, e.to_string()))?;
        b.add(glob);
    }
    b.build().map_err(|e| (0, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rules_quiet_tests_and_fixtures_only() {
        let s = Scope::default();
        // (path relative to the folder checked, capped at information)
        let cases = [
            ("tests/test_settings.py", true),
            ("server/tests/cli.rs", true),
            ("pkg/llm/openai_test.go", true),
            ("app/components/chat.test.tsx", true),
            ("src/conftest.py", true),
            ("test_models.py", true),
            ("data/fixtures/models.json", true),
            ("src/app.py", false),
            ("docs/guide.md", false),
            ("examples/train.py", false),
            ("contest.py", false),
            ("latest/model.py", false),
        ];
        for (p, quiet) in cases {
            let got = s.rule_for(Path::new(p), None).map(|r| r.cap);
            assert_eq!(
                got == Some(Some(Severity::Information)),
                quiet,
                "{p}: {got:?}"
            );
        }
    }

    #[test]
    fn a_policy_rule_comes_before_the_defaults_and_can_hide() {
        let rules = vec![PathRule {
            glob: "tests/e2e/**".into(),
            cap: Some(Severity::Error),
            line: Some(3),
        }];
        let s = Scope::new(vec!["vendor/**".into()], rules, true, None).expect("scope");
        assert_eq!(
            s.rule_for(Path::new("tests/e2e/a.py"), None)
                .and_then(|r| r.line),
            Some(3)
        );
        assert_eq!(
            s.rule_for(Path::new("tests/unit/a.py"), None)
                .and_then(|r| r.line),
            None
        );
        assert!(s.excluded(Path::new("vendor/x/y.py"), None));
        assert!(!s.excluded(Path::new("src/vendor.py"), None));
        let none = Scope::new(Vec::new(), Vec::new(), false, None).expect("scope");
        assert!(none.rule_for(Path::new("tests/a.py"), None).is_none());
    }

    #[test]
    fn folders_above_the_project_never_match() {
        let s = Scope::default();
        // (path, root checked, quieted)
        let cases = [
            (
                "/work/tests/proj/src/app.py",
                Some("/work/tests/proj"),
                false,
            ),
            (
                "/work/tests/proj/tests/t.py",
                Some("/work/tests/proj"),
                true,
            ),
            ("/work/tests/proj/src/app.py", None, false),
            ("/work/tests/proj/src/test_app.py", None, true),
        ];
        for (p, root, quiet) in cases {
            let got = s.rule_for(Path::new(p), root.map(Path::new)).is_some();
            assert_eq!(got, quiet, "{p} under {root:?}");
        }
        // With a policy file, its folder is the base.
        let s = Scope::new(
            Vec::new(),
            Vec::new(),
            true,
            Some(Path::new("/work/tests/proj")),
        )
        .expect("scope");
        assert!(
            s.rule_for(Path::new("/work/tests/proj/app.py"), None)
                .is_none()
        );
        assert!(
            s.rule_for(Path::new("/work/tests/proj/tests/a.py"), None)
                .is_some()
        );
    }

    #[test]
    fn caps_lower_and_never_raise() {
        use Severity::*;
        // (severity, cap, result)
        let cases = [
            (Error, Some(Information), Some(Information)),
            (Warning, Some(Hint), Some(Hint)),
            (Hint, Some(Error), Some(Hint)),
            (Information, Some(Warning), Some(Information)),
            (Error, None, None),
        ];
        for (sev, cap, want) in cases {
            assert_eq!(capped(sev, cap), want, "{sev:?} capped at {cap:?}");
        }
    }

    #[test]
    fn a_bad_glob_is_named_by_its_list_and_index() {
        let err = Scope::new(vec!["ok/**".into(), "a[".into()], Vec::new(), false, None)
            .expect_err("bad glob");
        assert_eq!((err.0, err.1), (GlobList::Exclude, 1));
    }
}
