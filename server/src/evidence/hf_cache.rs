//! The local Hugging Face cache: the model card of the snapshot a project would load.
//!
//! Layout: `ROOT/models--ORG--NAME/refs/main` holds the commit of the snapshot that
//! `from_pretrained` loads by default, and `ROOT/models--ORG--NAME/snapshots/COMMIT/`
//! holds its files, usually as links into `../../blobs/`. The root is
//! `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else `~/.cache/huggingface/hub`.
//!
//! Invariants: the folder name is built from validated parts; the card is read only if
//! its resolved path stays inside the root, and at most [`MAX_CARD`] bytes of it.

use std::path::{Path, PathBuf};

use super::front_matter::{self, CardMeta};
use super::{read_bounded, within};

/// Largest part of a card read (the front matter comes first).
pub const MAX_CARD: u64 = 256 * 1024;

/// The card of the cached snapshot of a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedCard {
    /// The card file.
    pub path: PathBuf,
    /// The snapshot's commit.
    pub revision: String,
    /// Its license keys (`None` when the card has no front matter).
    pub meta: Option<CardMeta>,
}

fn valid_part(p: &str) -> bool {
    !p.is_empty()
        && p != "."
        && p != ".."
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// The repository's folder in the cache, matching the case of the id first, then any
/// case (the Hub treats ids case-insensitively; the cache keeps the case used).
pub fn repo_dir(root: &Path, repo: &str) -> Option<PathBuf> {
    let (org, name) = repo.split_once('/')?;
    if !valid_part(org) || !valid_part(name) {
        return None;
    }
    let folder = format!("models--{org}--{name}");
    let exact = root.join(&folder);
    if exact.is_dir() {
        return Some(exact);
    }
    std::fs::read_dir(root)
        .ok()?
        .flatten()
        .find(|e| {
            e.file_name()
                .to_string_lossy()
                .eq_ignore_ascii_case(&folder)
        })
        .map(|e| e.path())
}

fn snapshot(dir: &Path) -> Option<(String, PathBuf)> {
    let snaps = dir.join("snapshots");
    if let Ok(b) = read_bounded(&dir.join("refs").join("main"), 256) {
        let rev = String::from_utf8_lossy(&b).trim().to_string();
        if valid_part(&rev) && snaps.join(&rev).is_dir() {
            return Some((rev.clone(), snaps.join(rev)));
        }
    }
    // No `refs/main` (a download by revision): the most recently written snapshot.
    std::fs::read_dir(&snaps)
        .ok()?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e)))
        .max_by_key(|(t, _)| *t)
        .map(|(_, e)| (e.file_name().to_string_lossy().into_owned(), e.path()))
}

/// The card of the snapshot of `repo` in the cache; `Ok(None)` when the repository is
/// not cached or has no card, `Err` when reading it failed or left the root.
pub fn lookup(root: &Path, repo: &str) -> Result<Option<CachedCard>, String> {
    let Some(dir) = repo_dir(root, repo) else {
        return Ok(None);
    };
    let Some((revision, snap)) = snapshot(&dir) else {
        return Ok(None);
    };
    let card = snap.join("README.md");
    if std::fs::symlink_metadata(&card).is_err() {
        return Ok(None);
    }
    let real = within(root, &card)?;
    let bytes = read_bounded(&real, MAX_CARD)?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(Some(CachedCard {
        path: card,
        revision,
        meta: front_matter::parse(&text),
    }))
}
