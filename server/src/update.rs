//! The knowledge in force, and `fineprint update`: downloading, verifying and installing
//! a knowledge pack ([`crate::kb::pack`]) in the cache (docs/knowledge-packs.md).
//!
//! Invariants:
//! * Nothing here touches the network unless [`update`] is called, which only
//!   `fineprint update` does. Start-up ([`in_force`]) reads the cache and nothing else.
//! * A pack is installed only after every check passed: the archive's SHA-256 against
//!   the published `.sha256`, its minisign signature against a trusted key, the
//!   archive's own manifest and file hashes, the format and fineprint version range,
//!   and the same validation as `fineprint rules check`. A refused pack changes nothing
//!   in the cache.
//! * Installing is atomic: the archive is written under a name of its own, then the
//!   record naming it (`knowledge/current.json`) is replaced by a rename. A reader sees
//!   the old pack or the new one, never a mix.
//! * At start-up, a pack is in force only when it is compatible with this binary and
//!   newer than the embedded knowledge; a record or archive that is damaged (its hash
//!   is checked again) gives the embedded knowledge and a note saying why.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::kb::pack::{self, Pack, PackError, TrustedKey};
use crate::kb::{KnowledgeBase, LoadError, Origin, PackOrigin};

/// The pack URL when neither `--from`, `FINEPRINT_PACK_URL` nor the policy's
/// `knowledge_pack_url` gives one: the latest release of the project's repository.
pub fn default_pack_url() -> String {
    format!(
        "{}/releases/latest/download/{}",
        env!("CARGO_PKG_REPOSITORY"),
        pack::ARCHIVE_NAME
    )
}

/// fineprint's cache folder: `$FINEPRINT_CACHE_DIR`, else `$XDG_CACHE_HOME/fineprint`,
/// else the platform's cache folder (`~/.cache/fineprint`, `~/Library/Caches/fineprint`,
/// `%LOCALAPPDATA%\fineprint`). Empty or relative variables are ignored.
pub fn cache_root() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    var("FINEPRINT_CACHE_DIR")
        .or_else(|| var("XDG_CACHE_HOME").map(|p| p.join("fineprint")))
        .or_else(|| dirs::cache_dir().map(|p| p.join("fineprint")))
}

/// The folder of installed packs in a cache.
fn knowledge_dir(root: &Path) -> PathBuf {
    root.join("knowledge")
}

/// The record of the installed pack (`knowledge/current.json`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Installed {
    /// The archive's file name in the knowledge folder.
    file: String,
    /// The archive's SHA-256.
    sha256: String,
    /// The manifest's knowledge date.
    knowledge_date: String,
    /// The manifest's format.
    format: u32,
    /// The manifest's version range.
    fineprint_min: String,
    fineprint_below: String,
    /// Where it was downloaded from.
    source: String,
    /// When (`YYYY-MM-DD`).
    installed: String,
    /// The key that verified it.
    signer: String,
}

impl Installed {
    fn origin(&self) -> Origin {
        Origin::Pack(PackOrigin {
            date: self.knowledge_date.clone(),
            source: self.source.clone(),
            installed: self.installed.clone(),
            signer: self.signer.clone(),
        })
    }

    fn manifest_stub(&self) -> pack::Manifest {
        pack::Manifest {
            format: self.format,
            knowledge_date: self.knowledge_date.clone(),
            fineprint_min: self.fineprint_min.clone(),
            fineprint_below: self.fineprint_below.clone(),
            built_by: String::new(),
            content_sha256: String::new(),
            files: Vec::new(),
        }
    }
}

/// The most bytes read of a record.
const MAX_RECORD_BYTES: u64 = 64 * 1024;

fn read_capped(path: &Path, cap: u64) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(cap + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > cap {
        return Err(std::io::Error::other(format!("larger than {cap} bytes")));
    }
    Ok(bytes)
}

/// The installed pack's record, if any: `Ok(None)` when none is installed.
fn read_record(root: &Path) -> Result<Option<Installed>, String> {
    let path = knowledge_dir(root).join("current.json");
    match std::fs::symlink_metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
        Ok(_) => {}
    }
    let bytes =
        read_capped(&path, MAX_RECORD_BYTES).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// The knowledge in force and, when a cached pack could not be used, why.
#[derive(Debug)]
pub struct InForce {
    /// The base: from the installed pack, or the embedded one.
    pub kb: KnowledgeBase,
    /// Why an installed pack is not in force, when that is news to the user (damaged,
    /// incompatible); `None` when all is as expected.
    pub note: Option<String>,
}

/// The knowledge in force, plus the files of the rules folder `extra`: the installed
/// pack when it is compatible and newer than the embedded knowledge, else the embedded
/// knowledge. An error is the rules folder's (or the embedded base's) own problem.
pub fn in_force(extra: Option<&Path>) -> Result<InForce, LoadError> {
    in_force_from(cache_root().as_deref(), extra)
}

/// [`in_force`] with the cache folder given (`None`: no cache).
pub fn in_force_from(root: Option<&Path>, extra: Option<&Path>) -> Result<InForce, LoadError> {
    let embedded = || match extra {
        Some(d) => KnowledgeBase::with_extra_dir(d),
        None => KnowledgeBase::builtin(),
    };
    let Some(root) = root else {
        return Ok(InForce {
            kb: embedded()?,
            note: None,
        });
    };
    let fallback = |why: String| -> Result<InForce, LoadError> {
        Ok(InForce {
            kb: embedded()?,
            note: Some(format!(
                "note: the installed knowledge pack is not used: {why}; using the built-in knowledge of {} (run `fineprint update` to install a pack again)",
                crate::kb::embedded_date()
            )),
        })
    };
    let record = match read_record(root) {
        Ok(None) => {
            return Ok(InForce {
                kb: embedded()?,
                note: None,
            });
        }
        Ok(Some(r)) => r,
        Err(e) => return fallback(format!("its record is damaged ({e})")),
    };
    if let Err(e) = pack::check_compatible(&record.manifest_stub(), env!("CARGO_PKG_VERSION")) {
        return fallback(e.to_string());
    }
    if record.knowledge_date.as_str() <= crate::kb::embedded_date() {
        // This binary's knowledge is as new: nothing to say.
        return Ok(InForce {
            kb: embedded()?,
            note: None,
        });
    }
    let pack = match open_installed(root, &record) {
        Ok(p) => p,
        Err(e) => return fallback(e),
    };
    match KnowledgeBase::from_pack(&pack, extra, record.origin()) {
        Ok(kb) => Ok(InForce { kb, note: None }),
        Err(e) => {
            // The user's folder may be what fails: the embedded base says.
            let kb = embedded()?;
            Ok(InForce {
                kb,
                note: Some(format!(
                    "note: the installed knowledge pack of {} does not load ({}); using the built-in knowledge of {}",
                    record.knowledge_date,
                    e.to_string().trim_end(),
                    crate::kb::embedded_date()
                )),
            })
        }
    }
}

/// Reads the installed archive and checks it against its record and its manifest.
fn open_installed(root: &Path, record: &Installed) -> Result<Pack, String> {
    if record.file.contains(['/', '\\']) || record.file.starts_with('.') {
        return Err(format!("its record names `{}`", record.file));
    }
    let path = knowledge_dir(root).join(&record.file);
    let bytes = read_capped(&path, pack::MAX_ARCHIVE_BYTES)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let sum = pack::sha256_hex(&bytes);
    if sum != record.sha256 {
        return Err(format!(
            "{} is damaged (SHA-256 {sum}, installed as {})",
            path.display(),
            record.sha256
        ));
    }
    let pack = pack::open(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    if pack.manifest.knowledge_date != record.knowledge_date {
        return Err(format!("{} does not match its record", path.display()));
    }
    Ok(pack)
}

/// What `fineprint update` does.
#[derive(Debug, Clone)]
pub struct Options {
    /// The archive's URL (`.sha256` and `.minisig` are beside it).
    pub url: String,
    /// The keys a signature may verify with: the release key, plus `--trust-key`s.
    pub keys: Vec<TrustedKey>,
    /// The time allowed for each download.
    pub timeout: Duration,
    /// The cache folder to install in.
    pub cache: PathBuf,
}

/// What an update did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The pack was installed and is in force.
    Installed {
        /// The knowledge's date.
        date: String,
        /// The key that verified it.
        signer: String,
        /// Licenses and families in it.
        licenses: usize,
        families: usize,
    },
    /// The pack verified, but is not newer than the knowledge in force: nothing changed.
    NotNewer {
        /// The pack's date.
        date: String,
        /// The date of the knowledge in force, and what it is.
        current: String,
        what: String,
    },
}

/// Why an update failed; the knowledge in force is unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdateError {
    /// A download failed.
    Download(String),
    /// The pack was refused.
    Refused(String),
    /// The cache could not be written.
    Store(String),
}

impl std::fmt::Display for UpdateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Download(m) => write!(f, "download failed: {m}"),
            Self::Refused(m) => write!(f, "knowledge pack refused: {m}"),
            Self::Store(m) => write!(f, "cannot install the knowledge pack: {m}"),
        }
    }
}

impl std::error::Error for UpdateError {}

/// Downloads the pack at `options.url` with its sum and signature, verifies it, and
/// installs it in the cache when it is newer than the knowledge in force.
pub fn update(options: &Options) -> Result<Outcome, UpdateError> {
    let get = |url: &str, cap: u64| fetch(url, cap, options.timeout).map_err(UpdateError::Download);
    let archive = get(&options.url, pack::MAX_ARCHIVE_BYTES)?;
    let sum = get(&format!("{}.sha256", options.url), 4096)?;
    let sig = get(&format!("{}.minisig", options.url), 4096)?;
    let sum = String::from_utf8_lossy(&sum);
    let sig = String::from_utf8_lossy(&sig);
    install(
        &archive,
        &sum,
        &sig,
        &options.url,
        &options.keys,
        &options.cache,
    )
}

fn refused(e: PackError) -> UpdateError {
    UpdateError::Refused(e.to_string())
}

/// Verifies a downloaded pack (archive, `.sha256` text, `.minisig` text) and installs
/// it in `cache` when it is newer than the knowledge in force there.
pub fn install(
    archive: &[u8],
    sum: &str,
    signature: &str,
    source: &str,
    keys: &[TrustedKey],
    cache: &Path,
) -> Result<Outcome, UpdateError> {
    pack::verify_checksum(archive, sum).map_err(refused)?;
    let signer = pack::verify_signature(archive, signature, keys).map_err(refused)?;
    let opened = pack::open(archive).map_err(refused)?;
    pack::check_compatible(&opened.manifest, env!("CARGO_PKG_VERSION")).map_err(refused)?;
    let kb = KnowledgeBase::from_pack(&opened, None, Origin::Embedded).map_err(|e| {
        UpdateError::Refused(format!(
            "its knowledge does not load: {}",
            e.to_string().trim_end()
        ))
    })?;
    let problems = crate::rules_check::validate(&kb);
    if let Some(first) = problems.first() {
        return Err(UpdateError::Refused(format!(
            "its knowledge fails `fineprint rules check` with {} problem(s), the first: {}: {}",
            problems.len(),
            first.file,
            first.message
        )));
    }
    let date = kb.date();
    if date != opened.manifest.knowledge_date {
        return Err(UpdateError::Refused(format!(
            "the manifest dates the knowledge {}, its files date it {date}",
            opened.manifest.knowledge_date
        )));
    }
    // Never older than what is in force (a replayed old pack is not an update).
    let installed = read_record(cache).ok().flatten();
    let (current, what) = match &installed {
        Some(r) if r.knowledge_date.as_str() > crate::kb::embedded_date() => (
            r.knowledge_date.clone(),
            format!("the knowledge pack installed from {}", r.source),
        ),
        _ => (
            crate::kb::embedded_date().to_string(),
            "the built-in knowledge".to_string(),
        ),
    };
    if date <= current {
        return Ok(Outcome::NotNewer {
            date,
            current,
            what,
        });
    }
    let record = Installed {
        file: format!("pack-{}.tar.gz", &pack::sha256_hex(archive)[..16]),
        sha256: pack::sha256_hex(archive),
        knowledge_date: date.clone(),
        format: opened.manifest.format,
        fineprint_min: opened.manifest.fineprint_min.clone(),
        fineprint_below: opened.manifest.fineprint_below.clone(),
        source: source.to_string(),
        installed: crate::policy::today(),
        signer: signer.clone(),
    };
    store(cache, &record, archive).map_err(UpdateError::Store)?;
    Ok(Outcome::Installed {
        date,
        signer,
        licenses: kb.licenses.len(),
        families: kb.families.len(),
    })
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Installs `archive` under the record's name, then the record; removes older packs.
fn store(cache: &Path, record: &Installed, archive: &[u8]) -> Result<(), String> {
    let dir = knowledge_dir(cache);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(&record.file);
    write_atomic(&path, archive).map_err(|e| format!("{}: {e}", path.display()))?;
    let json = serde_json::to_vec_pretty(record).map_err(|e| e.to_string())?;
    let current = dir.join("current.json");
    write_atomic(&current, &json).map_err(|e| format!("{}: {e}", current.display()))?;
    // Older archives are no longer named by the record: remove them (best effort).
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with("pack-") && name.ends_with(".tar.gz") && name != record.file {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    Ok(())
}

/// One GET of the pack, its sum or its signature through the project's HTTP client
/// ([`crate::net`]): at most `cap` bytes; `timeout` to connect and for the answer;
/// redirects followed (at most 5; a release download on GitHub redirects to its
/// storage host) but never from https to http; one retry on 429 and 5xx.
pub fn fetch(url: &str, cap: u64, timeout: Duration) -> Result<Vec<u8>, String> {
    let options = crate::net::Options {
        connect_timeout: timeout.min(Duration::from_secs(10)),
        read_timeout: timeout,
        max_bytes: cap,
        retries: 1,
        backoff: Duration::from_millis(500),
        max_retry_after: Duration::from_secs(5),
        max_redirects: 5,
        token: None,
        accept: "application/octet-stream, */*",
        redirect_to_other_origins: true,
    };
    let client = crate::net::Client::new(url, options).map_err(|e| e.to_string())?;
    match client.get(url) {
        Ok(r) => Ok(r.body),
        Err(crate::net::NetError::Status {
            url, status: 404, ..
        }) => Err(format!("HTTP 404 (not found) from `{url}`")),
        Err(crate::net::NetError::Other { url, detail })
            if ["disconnected", "unexpected end", "UnexpectedEof"]
                .iter()
                .any(|w| detail.contains(w)) =>
        {
            Err(format!(
                "the download of `{url}` was cut short: the server closed the connection before the whole body ({detail})"
            ))
        }
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_url_is_the_repository_s_latest_release() {
        let url = default_pack_url();
        assert!(url.starts_with(env!("CARGO_PKG_REPOSITORY")), "{url}");
        assert!(url.ends_with("/releases/latest/download/fineprint-knowledge.tar.gz"));
    }

    #[test]
    fn without_a_cache_or_a_record_the_embedded_knowledge_is_in_force() {
        let dir = tempfile::tempdir().expect("tempdir");
        for root in [None, Some(dir.path())] {
            let f = in_force_from(root, None).expect("loads");
            assert_eq!(f.kb.origin, Origin::Embedded);
            assert!(f.note.is_none());
        }
    }
}
