//! The disk cache of the Hub's answers: one JSON file per model id.
//!
//! Folder: `$FINEPRINT_CACHE_DIR`, else `$XDG_CACHE_HOME/fineprint`, else the
//! platform's cache folder (`~/.cache/fineprint`, `~/Library/Caches/fineprint`,
//! `%LOCALAPPDATA%\fineprint`); answers go in its `hub/` folder, as
//! `models--{org}--{name}.json`. Each file is `{"format": 1, "record": …}` (see
//! [`super::hub::HubRecord`]); its `fetched_at` says how old it is.
//!
//! Writes are atomic (a temporary file in the same folder, then a rename), so a
//! reader never sees half an entry. An entry that cannot be read or parsed is ignored
//! with a message (and fetched again); it never stops the check.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::hub::{HubRecord, valid_id};

/// The format written; entries of another format are ignored.
pub const FORMAT: u32 = 1;

/// The largest entry read.
const MAX_ENTRY: u64 = 1024 * 1024;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    format: u32,
    record: HubRecord,
}

/// The cache folder the environment names (see the module doc), `None` when there
/// is no home to put it in.
pub fn default_dir(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<PathBuf> {
    var("FINEPRINT_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| var("XDG_CACHE_HOME").map(|x| PathBuf::from(x).join("fineprint")))
        .or_else(|| dirs::cache_dir().map(|d| d.join("fineprint")))
}

/// The cache in one folder.
#[derive(Debug, Clone)]
pub struct DiskCache {
    dir: PathBuf,
}

impl DiskCache {
    /// The cache under `root` (answers in `root/hub`).
    pub fn new(root: &Path) -> Self {
        Self {
            dir: root.join("hub"),
        }
    }

    /// The folder the entries are in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of an id (`None` for an id fineprint never asks about).
    pub fn path(&self, id: &str) -> Option<PathBuf> {
        if !valid_id(id) {
            return None;
        }
        let (org, name) = id.split_once('/')?;
        Some(self.dir.join(format!("models--{org}--{name}.json")))
    }

    /// The entry of `id`: `Ok(None)` when there is none, `Err` with a message when
    /// the file is there but unusable.
    pub fn read(&self, id: &str) -> Result<Option<HubRecord>, String> {
        let Some(path) = self.path(id) else {
            return Ok(None);
        };
        if !path.exists() {
            return Ok(None);
        }
        let bytes = crate::evidence::read_bounded(&path, MAX_ENTRY + 1)?;
        if bytes.len() as u64 > MAX_ENTRY {
            return Err(format!(
                "the cache entry {} is larger than {MAX_ENTRY} bytes; ignored",
                path.display()
            ));
        }
        let entry: Entry = serde_json::from_slice(&bytes).map_err(|e| {
            format!(
                "the cache entry {} is corrupt ({e}); ignored",
                path.display()
            )
        })?;
        if entry.format != FORMAT {
            return Err(format!(
                "the cache entry {} has format {} (this fineprint writes {FORMAT}); ignored",
                path.display(),
                entry.format
            ));
        }
        if !entry.record.id.eq_ignore_ascii_case(id) {
            return Err(format!(
                "the cache entry {} is for `{}`, not `{id}`; ignored",
                path.display(),
                entry.record.id
            ));
        }
        Ok(Some(entry.record))
    }

    /// Writes the entry of `record.id` atomically.
    pub fn write(&self, record: &HubRecord) -> Result<(), String> {
        let Some(path) = self.path(&record.id) else {
            return Err(format!("`{}` is not a Hub id", record.id));
        };
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| format!("cannot create {}: {e}", self.dir.display()))?;
        let entry = Entry {
            format: FORMAT,
            record: record.clone(),
        };
        let json = serde_json::to_vec_pretty(&entry).map_err(|e| e.to_string())?;
        let tmp = self.dir.join(format!(
            ".{}.{}.{:?}.tmp",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("entry"),
            std::process::id(),
            std::thread::current().id()
        ));
        let result = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&json)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)
        })();
        if let Err(e) = result {
            let _ = std::fs::remove_file(&tmp);
            return Err(format!("cannot write {}: {e}", path.display()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::online::hub::{Status, absent};

    #[test]
    fn round_trip_and_corruption() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let cache = DiskCache::new(tmp.path());
        assert_eq!(cache.read("acme/model"), Ok(None));
        let rec = absent(
            "acme/model",
            "http://h/api/models/acme/model",
            Status::NotFound,
            5,
        );
        cache.write(&rec).expect("write");
        assert_eq!(cache.read("acme/model"), Ok(Some(rec.clone())));
        let path = cache.path("acme/model").expect("path");
        for (what, content) in [
            ("truncated", &b"{\"format\":1,\"rec"[..]),
            ("not json", b"\xff\xfe garbage"),
            ("other format", b"{\"format\":99,\"record\":{\"id\":\"acme/model\",\"status\":\"found\",\"url\":\"u\",\"fetched_at\":1}}"),
            ("another id", b"{\"format\":1,\"record\":{\"id\":\"acme/other\",\"status\":\"found\",\"url\":\"u\",\"fetched_at\":1}}"),
        ] {
            std::fs::write(&path, content).expect("write");
            let err = cache.read("acme/model").expect_err(what);
            assert!(err.contains("ignored"), "{what}: {err}");
        }
        // Ids that are not Hub ids have no file.
        assert_eq!(cache.path("../../etc/passwd"), None);
        assert_eq!(cache.read("x"), Ok(None));
        // No temporary file is left behind.
        cache.write(&rec).expect("write");
        let names: Vec<_> = std::fs::read_dir(cache.dir())
            .expect("dir")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .collect();
        assert_eq!(names, ["models--acme--model.json"]);
    }

    #[test]
    fn folder_from_the_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| std::ffi::OsString::from(v))
            }
        };
        assert_eq!(
            default_dir(env(&[
                ("FINEPRINT_CACHE_DIR", "/a"),
                ("XDG_CACHE_HOME", "/b")
            ])),
            Some(PathBuf::from("/a"))
        );
        assert_eq!(
            default_dir(env(&[("XDG_CACHE_HOME", "/b")])),
            Some(PathBuf::from("/b/fineprint"))
        );
    }
}
