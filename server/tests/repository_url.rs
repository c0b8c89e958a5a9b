//! One repository URL: `[workspace.package] repository` in the root `Cargo.toml`.
//!
//! * The binary's SARIF `informationUri` (and so every help link and the CycloneDX
//!   website reference) is that URL, read by Cargo at build time.
//! * No file in the tree spells the repository another way: every URL whose path names
//!   a `fineprint` repository (and every `git@host:owner/fineprint` and GitHub Action
//!   `uses: owner/fineprint@ref`) must start with the configured URL. Pages where the
//!   released packages live (PyPI, Open VSX, the VS Code Marketplace, crates.io,
//!   docs.rs) are not the repository and are allowed.
//! * The files that tell users where fineprint comes from name it.
//!
//! To move the repository: change the one line in `Cargo.toml`, then replace the old URL
//! everywhere this test points (and re-bless the goldens).

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("server/ has a parent")
        .to_path_buf()
}

fn configured_url() -> String {
    let text = std::fs::read_to_string(root().join("Cargo.toml")).expect("read Cargo.toml");
    let doc: toml::Table = text.parse().expect("Cargo.toml parses");
    doc["workspace"]["package"]["repository"]
        .as_str()
        .expect("workspace.package.repository is a string")
        .to_string()
}

/// Hosts that publish fineprint's packages: their `/fineprint` pages are not the
/// repository.
const PACKAGE_HOSTS: &[&str] = &[
    "pypi.org",
    "open-vsx.org",
    "marketplace.visualstudio.com",
    "crates.io",
    "docs.rs",
];

/// Folders that are build output or installed tools, not the project's files.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    "target",
    "node_modules",
    "dist",
    "bundled",
    ".venv",
    "venv",
    "__pycache__",
    ".pytest_cache",
];

/// Every spelling of a repository found in `text`, as written (URLs whose path has a
/// `fineprint` or `fineprint.git` segment on a host that is not a package index;
/// `git@host:owner/fineprint`; `uses: owner/fineprint@ref`).
fn repository_spellings(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let is_sep = |c: char| c.is_whitespace() || "\"'`<>()[]{},|\\".contains(c);
    let tokens: Vec<&str> = text.split(is_sep).filter(|t| !t.is_empty()).collect();
    for (i, raw) in tokens.iter().enumerate() {
        let mut token = raw.trim_end_matches(['.', ';', ':', '!', '?', '*']);
        let (host, path) = if let Some(at) = token.find("://") {
            // The URL starts at its scheme (`base=https://...` is a URL after `base=`).
            let scheme = token[..at]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || "+.-".contains(c)))
                .map_or(0, |i| i + 1);
            let after = &token[at + 3..];
            token = &token[scheme..];
            let (authority, path) = after.split_once('/').unwrap_or((after, ""));
            let host = authority.rsplit('@').next().unwrap_or(authority);
            (host.to_ascii_lowercase(), path)
        } else if let Some(rest) = token.strip_prefix("git@") {
            match rest.split_once(':') {
                Some((host, path)) => (host.to_ascii_lowercase(), path),
                None => continue,
            }
        } else if i > 0 && tokens[i - 1] == "uses:" && token.contains('@') {
            ("(action)".to_string(), token)
        } else {
            continue;
        };
        if PACKAGE_HOSTS.contains(&host.as_str()) {
            continue;
        }
        let names_repo = path.split(['/', '@', '#', '?']).take(3).any(|seg| {
            seg.eq_ignore_ascii_case("fineprint") || seg.eq_ignore_ascii_case("fineprint.git")
        });
        if names_repo || host.contains("fineprint") {
            found.push(token.to_string());
        }
    }
    found
}

/// Whether a spelling is the configured URL (or a page under it), or the Action
/// reference `owner/name@ref` of that URL.
fn is_configured(spelling: &str, url: &str) -> bool {
    if let Some(rest) = spelling.strip_prefix(url) {
        return rest.is_empty() || rest.starts_with(['/', '#', '?']);
    }
    let owner_name = url.strip_prefix("https://github.com/").unwrap_or("");
    !owner_name.is_empty()
        && spelling
            .strip_prefix(owner_name)
            .is_some_and(|rest| rest.starts_with('@'))
}

#[test]
fn spellings_are_found_and_judged() {
    let url = "https://github.com/fineprint-dev/fineprint";
    // (text, spellings found, all of them the configured one)
    let cases: &[(&str, &[&str], bool)] = &[
        (
            "see https://github.com/fineprint-dev/fineprint.",
            &[url],
            true,
        ),
        (
            "[codes](https://github.com/fineprint-dev/fineprint/blob/main/docs/codes.md)",
            &["https://github.com/fineprint-dev/fineprint/blob/main/docs/codes.md"],
            true,
        ),
        (
            "  - repo: https://example.invalid/fineprint",
            &["https://example.invalid/fineprint"],
            false,
        ),
        (
            "http://github.com/fineprint-dev/fineprint",
            &["http://github.com/fineprint-dev/fineprint"],
            false,
        ),
        (
            "https://github.com/fineprint-dev/fineprint.git",
            &["https://github.com/fineprint-dev/fineprint.git"],
            false,
        ),
        (
            "https://github.com/someone/fineprint/issues",
            &["https://github.com/someone/fineprint/issues"],
            false,
        ),
        (
            "https://www.github.com/fineprint-dev/fineprint",
            &["https://www.github.com/fineprint-dev/fineprint"],
            false,
        ),
        (
            "git clone git@github.com:fineprint-dev/fineprint.git",
            &["git@github.com:fineprint-dev/fineprint.git"],
            false,
        ),
        (
            "https://fineprint.dev/docs",
            &["https://fineprint.dev/docs"],
            false,
        ),
        (
            "base=https://github.com/fineprint-dev/fineprint/releases/latest/download",
            &["https://github.com/fineprint-dev/fineprint/releases/latest/download"],
            true,
        ),
        (
            "REPO=git+https://example.invalid/fineprint",
            &["git+https://example.invalid/fineprint"],
            false,
        ),
        (
            "- uses: fineprint-dev/fineprint@v0",
            &["fineprint-dev/fineprint@v0"],
            true,
        ),
        ("- uses: other/fineprint@v0", &["other/fineprint@v0"], false),
        // Not the repository: package pages, other projects, mail addresses.
        (
            "pipx install fineprint; https://pypi.org/project/fineprint/",
            &[],
            true,
        ),
        (
            "https://open-vsx.org/extension/fineprint/fineprint",
            &[],
            true,
        ),
        ("https://huggingface.co/meta-llama/Llama-3.1-8B", &[], true),
        ("git -c user.email=ci@example.invalid commit", &[], true),
        ("- uses: actions/checkout@v4", &[], true),
    ];
    for (text, expected, ok) in cases {
        let found = repository_spellings(text);
        assert_eq!(&found, expected, "spellings in {text:?}");
        let all_ok = found.iter().all(|s| is_configured(s, url));
        assert_eq!(all_ok, *ok, "judgement of {found:?}");
    }
}

#[test]
fn the_binary_uses_the_configured_url() {
    assert_eq!(fineprint::render::sarif::INFORMATION_URI, configured_url());
    assert_eq!(
        fineprint::render::sarif::docs_uri("codes.md"),
        format!("{}/blob/main/docs/codes.md", configured_url())
    );
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if !SKIPPED_DIRS.contains(&name.to_string_lossy().as_ref()) {
                walk(&path, files);
            }
        } else if kind.is_file() {
            files.push(path);
        }
    }
}

#[test]
fn no_other_spelling_of_the_repository_in_the_tree() {
    let url = configured_url();
    let root = root();
    let this_file = Path::new(file!()).file_name().expect("file name");
    let mut files = Vec::new();
    walk(&root, &mut files);
    assert!(
        files.len() > 100,
        "walked only {} files under {}",
        files.len(),
        root.display()
    );
    let mut wrong = Vec::new();
    for file in &files {
        if file.file_name() == Some(this_file) {
            continue; // the cases above spell wrong URLs on purpose
        }
        let Ok(text) = std::fs::read_to_string(file) else {
            continue; // not UTF-8: binaries, images
        };
        for (n, line) in text.lines().enumerate() {
            for spelling in repository_spellings(line) {
                if !is_configured(&spelling, &url) {
                    let rel = file.strip_prefix(&root).unwrap_or(file);
                    wrong.push(format!("{}:{}: {spelling}", rel.display(), n + 1));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "spell the repository as {url} (Cargo.toml [workspace.package] repository):\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_files_that_point_users_to_the_repository_name_it() {
    let url = configured_url();
    let files = [
        ".pre-commit-hooks.yaml",
        "docs/ci.md",
        "editors/zed/extension.toml",
        "editors/vscode/package.json",
        "NOTICE",
        "pyproject.toml",
        "docs/install.md",
    ];
    for rel in files {
        let text =
            std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert!(text.contains(&url), "{rel} does not name {url}");
    }
}
