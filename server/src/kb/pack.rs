//! Knowledge packs: the `rules/` data (generated indexes included) in one signed archive,
//! so that knowledge can be updated without a new binary (`fineprint update`,
//! docs/knowledge-packs.md).
//!
//! A pack is a gzip-compressed tar archive holding `manifest.toml` and the rules files
//! under `rules/` (the same layout as the repository's folder). The manifest gives the
//! format version, the knowledge date, the range of fineprint versions that can read
//! it, and the SHA-256 of every file and of the whole content. Beside the archive the
//! release publishes `<archive>.sha256` (`<hex>  <name>`, as for the binaries) and
//! `<archive>.minisig`, a minisign signature made with the release key whose public half
//! is [`RELEASE_KEY`].
//!
//! Invariants:
//! * Nothing here panics or allocates without bound on a hostile archive: the archive,
//!   each file, the sum of the files and their count are capped; paths must be relative
//!   `*.toml`/`*.tsv` names under `rules/` without `..`; every file must be listed in
//!   the manifest with its hash, and every listed file must be present.
//! * [`open`] only checks the archive's own consistency; whoever accepts a pack also
//!   calls [`verify_checksum`] and [`verify_signature`] on the bytes downloaded, before
//!   opening them.
//! * Building is deterministic: the same rules give the same bytes (sorted entries,
//!   zero times and owners), so the release's pack can be rebuilt and compared.

use std::io::Read as _;
use std::path::Path;

use sha2::Digest as _;

/// The pack format this binary reads and writes.
pub const FORMAT: u32 = 1;

/// The archive's file name in a release.
pub const ARCHIVE_NAME: &str = "fineprint-knowledge.tar.gz";

/// The public half of the key the release workflow signs packs with (minisign format).
/// The secret half is the repository secret `FINEPRINT_PACK_SIGNING_KEY`; see
/// docs/knowledge-packs.md#signing.
pub const RELEASE_KEY: &str = include_str!("release_key.pub");

/// The largest archive accepted, in bytes.
pub const MAX_ARCHIVE_BYTES: u64 = 32 * 1024 * 1024;
/// The largest sum of unpacked files accepted, in bytes.
pub const MAX_UNPACKED_BYTES: u64 = 128 * 1024 * 1024;
/// The most files accepted in one pack.
pub const MAX_FILES: usize = 20_000;

/// The manifest (`manifest.toml` at the archive's root).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The pack format ([`FORMAT`]).
    pub format: u32,
    /// The knowledge's date (`KnowledgeBase::date` of the files), `YYYY-MM-DD`.
    pub knowledge_date: String,
    /// The oldest fineprint version that reads this pack (`MAJOR.MINOR.PATCH`).
    pub fineprint_min: String,
    /// The first fineprint version that no longer reads it.
    pub fineprint_below: String,
    /// The fineprint that built it.
    pub built_by: String,
    /// SHA-256 of the list of files: one line `<sha256>  <path>\n` per file, in order.
    pub content_sha256: String,
    /// Every file of the pack, sorted by path.
    #[serde(rename = "file", default)]
    pub files: Vec<FileEntry>,
}

/// One file of a pack.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    /// Path relative to `rules/` (`licenses/apache-2.0.toml`).
    pub path: String,
    /// SHA-256 of its bytes, lowercase hex.
    pub sha256: String,
}

/// A pack whose archive is consistent: the manifest and the files' texts.
#[derive(Debug, Clone)]
pub struct Pack {
    /// Its manifest.
    pub manifest: Manifest,
    /// (path relative to `rules/`, text), in the manifest's order.
    pub files: Vec<(String, String)>,
}

/// Why a pack is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackError {
    /// The archive's SHA-256 is not the published one.
    Checksum {
        /// The published sum.
        expected: String,
        /// The sum of the bytes received.
        actual: String,
    },
    /// The `.sha256` file does not hold a sum.
    BadChecksumFile(String),
    /// The signature does not verify with a trusted key.
    Signature(String),
    /// The archive cannot be read (not gzip or tar, truncated, too large, bad paths).
    Archive(String),
    /// The manifest is missing, malformed or disagrees with the files.
    Manifest(String),
    /// The pack is for another format or other fineprint versions.
    Incompatible(String),
}

impl std::fmt::Display for PackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Checksum { expected, actual } => write!(
                f,
                "checksum mismatch: the archive's SHA-256 is {actual}, the published sum is {expected} (a damaged or altered download)"
            ),
            Self::BadChecksumFile(why) => write!(f, "the checksum file is not valid: {why}"),
            Self::Signature(why) => write!(f, "bad signature: {why}"),
            Self::Archive(why) => write!(f, "the archive cannot be read: {why}"),
            Self::Manifest(why) => write!(f, "the manifest is not valid: {why}"),
            Self::Incompatible(why) => write!(f, "incompatible pack: {why}"),
        }
    }
}

impl std::error::Error for PackError {}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = sha2::Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The content hash of a list of files: SHA-256 of `<sha256>  <path>\n` lines.
fn content_sha256(files: &[FileEntry]) -> String {
    let mut h = sha2::Sha256::new();
    for f in files {
        h.update(f.sha256.as_bytes());
        h.update(b"  ");
        h.update(f.path.as_bytes());
        h.update(b"\n");
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks `archive` against the text of its `.sha256` file (`<hex>` or `<hex>  <name>`).
pub fn verify_checksum(archive: &[u8], sum_file: &str) -> Result<(), PackError> {
    let expected = sum_file
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if expected.len() != 64 || !expected.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(PackError::BadChecksumFile(
            "expected 64 hexadecimal digits".into(),
        ));
    }
    let actual = sha256_hex(archive);
    if actual == expected {
        Ok(())
    } else {
        Err(PackError::Checksum { expected, actual })
    }
}

/// A key a pack may be signed with, and how the user came to trust it.
#[derive(Debug, Clone)]
pub struct TrustedKey {
    /// The public key: a minisign `.pub` file's text or its base64 line.
    pub key: String,
    /// Shown to the user: `the release key`, `the key given with --trust-key`.
    pub label: String,
}

impl TrustedKey {
    /// The release key built into the binary.
    pub fn release() -> Self {
        Self {
            key: RELEASE_KEY.to_string(),
            label: "the release key".into(),
        }
    }
}

fn parse_key(text: &str) -> Result<minisign_verify::PublicKey, minisign_verify::Error> {
    let text = text.trim();
    if text.contains('\n') {
        minisign_verify::PublicKey::decode(text)
    } else {
        minisign_verify::PublicKey::from_base64(text)
    }
}

/// Checks a minisign signature (`.minisig` text) of `archive` against `keys`; returns
/// the label of the key that verified it.
pub fn verify_signature(
    archive: &[u8],
    signature: &str,
    keys: &[TrustedKey],
) -> Result<String, PackError> {
    let sig = minisign_verify::Signature::decode(signature)
        .map_err(|e| PackError::Signature(format!("the signature file does not parse ({e})")))?;
    let mut last = String::from("no key to check it with");
    for k in keys {
        let pk = match parse_key(&k.key) {
            Ok(pk) => pk,
            Err(e) => {
                last = format!("{} is not a minisign public key ({e})", k.label);
                continue;
            }
        };
        // Only prehashed (`ED`) signatures, the default of minisign since 0.8.
        match pk.verify(archive, &sig, false) {
            Ok(()) => return Ok(k.label.clone()),
            Err(minisign_verify::Error::UnexpectedKeyId) => {
                last = format!("it was made with another key than {}", k.label);
            }
            Err(e) => last = format!("it does not verify with {} ({e})", k.label),
        }
    }
    Err(PackError::Signature(last))
}

/// `MAJOR.MINOR.PATCH` of a version (a pre-release or build suffix is ignored).
pub fn version_triple(v: &str) -> Option<(u64, u64, u64)> {
    let core = v.trim().split(['-', '+']).next()?;
    let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
    let t = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some(t)
}

/// Whether fineprint `version` can read a pack of this manifest.
pub fn check_compatible(m: &Manifest, version: &str) -> Result<(), PackError> {
    if m.format != FORMAT {
        return Err(PackError::Incompatible(format!(
            "pack format {} (this fineprint reads format {FORMAT}); update fineprint itself",
            m.format
        )));
    }
    let (Some(min), Some(below), Some(me)) = (
        version_triple(&m.fineprint_min),
        version_triple(&m.fineprint_below),
        version_triple(version),
    ) else {
        return Err(PackError::Manifest(format!(
            "fineprint_min `{}` / fineprint_below `{}` are not MAJOR.MINOR.PATCH versions",
            m.fineprint_min, m.fineprint_below
        )));
    };
    if me < min || me >= below {
        return Err(PackError::Incompatible(format!(
            "it is for fineprint {} up to (not including) {}, this is fineprint {version}",
            m.fineprint_min, m.fineprint_below
        )));
    }
    Ok(())
}

/// The first version a pack built by `version` no longer serves: the next minor
/// version before 1.0 (`0.1.3` -> `0.2.0`), else the next major.
pub fn next_breaking(version: &str) -> String {
    match version_triple(version) {
        Some((0, minor, _)) => format!("0.{}.0", minor + 1),
        Some((major, _, _)) => format!("{}.0.0", major + 1),
        None => "0.0.0".into(),
    }
}

/// Whether `path` (relative to `rules/`) may be in a pack: relative, `/`-separated, no
/// `.`/`..` segments, a `.toml` or `.tsv` name.
fn acceptable_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= 255
        && !path.starts_with('/')
        && !path.contains('\\')
        && path
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains(':'))
        && (path.ends_with(".toml") || path.ends_with(".tsv"))
}

/// Builds a pack from `files` ((path relative to `rules/`, text), any order): the
/// archive's bytes and its manifest. `knowledge_date` is the date of the knowledge the
/// files make; `version` the fineprint building it.
pub fn build(
    files: &[(String, String)],
    knowledge_date: &str,
    version: &str,
) -> Result<(Vec<u8>, Manifest), String> {
    let mut files: Vec<&(String, String)> = files.iter().collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some((p, _)) = files.iter().find(|(p, _)| !acceptable_path(p)) {
        return Err(format!(
            "`{p}` cannot be in a pack (a relative .toml or .tsv path)"
        ));
    }
    let entries: Vec<FileEntry> = files
        .iter()
        .map(|(p, t)| FileEntry {
            path: p.clone(),
            sha256: sha256_hex(t.as_bytes()),
        })
        .collect();
    let manifest = Manifest {
        format: FORMAT,
        knowledge_date: knowledge_date.to_string(),
        fineprint_min: version
            .split(['-', '+'])
            .next()
            .unwrap_or(version)
            .to_string(),
        fineprint_below: next_breaking(version),
        built_by: format!("fineprint {version}"),
        content_sha256: content_sha256(&entries),
        files: entries,
    };
    let manifest_text = toml::to_string(&manifest).map_err(|e| e.to_string())?;
    let mut tar = tar::Builder::new(Vec::new());
    tar.mode(tar::HeaderMode::Deterministic);
    let mut add = |name: &str, bytes: &[u8]| -> std::io::Result<()> {
        let mut h = tar::Header::new_ustar();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut h, name, bytes)
    };
    add("manifest.toml", manifest_text.as_bytes()).map_err(|e| e.to_string())?;
    for (p, t) in &files {
        add(&format!("rules/{p}"), t.as_bytes()).map_err(|e| e.to_string())?;
    }
    let tar_bytes = tar.into_inner().map_err(|e| e.to_string())?;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut gz, &tar_bytes).map_err(|e| e.to_string())?;
    let archive = gz.finish().map_err(|e| e.to_string())?;
    Ok((archive, manifest))
}

/// Reads an archive (already checked against its sum and signature): its manifest and
/// files, checking each file's hash, the content hash, and that the two lists agree.
pub fn open(archive: &[u8]) -> Result<Pack, PackError> {
    if archive.len() as u64 > MAX_ARCHIVE_BYTES {
        return Err(PackError::Archive(format!(
            "larger than {} MiB",
            MAX_ARCHIVE_BYTES / (1024 * 1024)
        )));
    }
    // Decompressed whole (up to the cap, one byte more tells a pack at the cap from a
    // larger one), so that the gzip trailer's CRC and length are checked too.
    let mut tar_bytes = Vec::new();
    flate2::read::GzDecoder::new(archive)
        .take(MAX_UNPACKED_BYTES + 1)
        .read_to_end(&mut tar_bytes)
        .map_err(|e| PackError::Archive(format!("not a complete gzip stream ({e})")))?;
    if tar_bytes.len() as u64 > MAX_UNPACKED_BYTES {
        return Err(PackError::Archive(format!(
            "it unpacks to more than {} MiB",
            MAX_UNPACKED_BYTES / (1024 * 1024)
        )));
    }
    let mut tar = tar::Archive::new(tar_bytes.as_slice());
    let mut manifest_text: Option<String> = None;
    let mut files: Vec<(String, String)> = Vec::new();
    let mut total: u64 = 0;
    let entries = tar
        .entries()
        .map_err(|e| PackError::Archive(format!("not a gzip-compressed tar archive ({e})")))?;
    for entry in entries {
        let mut entry =
            entry.map_err(|e| PackError::Archive(format!("truncated or damaged ({e})")))?;
        let kind = entry.header().entry_type();
        let name = entry
            .path()
            .map_err(|e| PackError::Archive(format!("an entry's name is not valid ({e})")))?
            .to_string_lossy()
            .replace('\\', "/");
        if kind.is_dir() {
            continue;
        }
        if !kind.is_file() {
            return Err(PackError::Archive(format!(
                "`{name}` is not a regular file (links and devices are refused)"
            )));
        }
        let size = entry.header().size().unwrap_or(u64::MAX);
        total = total.saturating_add(size);
        if total > MAX_UNPACKED_BYTES {
            return Err(PackError::Archive(format!(
                "its files add up to more than {} MiB",
                MAX_UNPACKED_BYTES / (1024 * 1024)
            )));
        }
        if files.len() >= MAX_FILES {
            return Err(PackError::Archive(format!("more than {MAX_FILES} files")));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| PackError::Archive(format!("truncated or damaged in `{name}` ({e})")))?;
        if bytes.len() as u64 != size {
            return Err(PackError::Archive(format!("truncated in `{name}`")));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| PackError::Archive(format!("`{name}` is not UTF-8 text")))?;
        if name == "manifest.toml" {
            if manifest_text.replace(text).is_some() {
                return Err(PackError::Manifest("two manifest.toml entries".into()));
            }
            continue;
        }
        let Some(rel) = name.strip_prefix("rules/").filter(|r| acceptable_path(r)) else {
            return Err(PackError::Archive(format!(
                "`{name}` is not a .toml or .tsv file under rules/"
            )));
        };
        files.push((rel.to_string(), text));
    }
    let Some(manifest_text) = manifest_text else {
        return Err(PackError::Manifest(
            "the archive has no manifest.toml".into(),
        ));
    };
    let manifest: Manifest = toml::from_str(&manifest_text)
        .map_err(|e| PackError::Manifest(e.message().trim().to_string()))?;
    if manifest.files.len() != files.len() {
        return Err(PackError::Manifest(format!(
            "it lists {} file(s), the archive holds {}",
            manifest.files.len(),
            files.len()
        )));
    }
    let mut by_path: std::collections::HashMap<&str, &str> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    if by_path.len() != files.len() {
        return Err(PackError::Archive("a file appears twice".into()));
    }
    let mut ordered = Vec::with_capacity(files.len());
    for e in &manifest.files {
        let Some(text) = by_path.remove(e.path.as_str()) else {
            return Err(PackError::Manifest(format!(
                "`{}` is listed but not in the archive",
                e.path
            )));
        };
        let actual = sha256_hex(text.as_bytes());
        if actual != e.sha256 {
            return Err(PackError::Manifest(format!(
                "`{}` has SHA-256 {actual}, the manifest says {}",
                e.path, e.sha256
            )));
        }
        ordered.push((e.path.clone(), text.to_string()));
    }
    if content_sha256(&manifest.files) != manifest.content_sha256 {
        return Err(PackError::Manifest(
            "content_sha256 is not the hash of the file list".into(),
        ));
    }
    if !super::valid_date(&manifest.knowledge_date) {
        return Err(PackError::Manifest(format!(
            "knowledge_date `{}` is not a YYYY-MM-DD date",
            manifest.knowledge_date
        )));
    }
    Ok(Pack {
        manifest,
        files: ordered,
    })
}

/// The `*.toml` and `*.tsv` files of a rules folder: (path relative to it, text).
pub fn read_rules_dir(dir: &Path) -> Result<Vec<(String, String)>, super::LoadError> {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    super::collect_toml(dir, dir, &mut found, &mut problems);
    found.sort();
    let mut files = Vec::new();
    for (rel, path) in found {
        match std::fs::read_to_string(&path) {
            Ok(text) => files.push((rel, text)),
            Err(e) => problems.push(super::LoadProblem {
                file: path.display().to_string(),
                line: 0,
                column: 0,
                message: format!("cannot read: {e}"),
            }),
        }
    }
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(super::LoadError(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<(String, String)> {
        vec![
            ("licenses/b.toml".into(), "id = \"b\"\n".into()),
            ("detect.toml".into(), "x = 1\n".into()),
        ]
    }

    #[test]
    fn a_built_pack_opens_with_its_files_in_order_and_is_deterministic() {
        let (a, m) = build(&sample(), "2026-12-06", "0.1.0").expect("builds");
        let (b, _) = build(&sample(), "2026-12-06", "0.1.0").expect("builds");
        assert_eq!(a, b, "the same files make the same bytes");
        let pack = open(&a).expect("opens");
        assert_eq!(pack.manifest, m);
        let paths: Vec<&str> = pack.files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["detect.toml", "licenses/b.toml"]);
        assert_eq!(m.fineprint_min, "0.1.0");
        assert_eq!(m.fineprint_below, "0.2.0");
    }

    #[test]
    fn versions_and_ranges() {
        let cases = [
            ("0.1.0", "0.1.0", "0.2.0", true),
            ("0.1.7", "0.1.0", "0.2.0", true),
            ("0.2.0", "0.1.0", "0.2.0", false),
            ("0.0.9", "0.1.0", "0.2.0", false),
            ("1.4.0-rc.1", "1.0.0", "2.0.0", true),
        ];
        for (me, min, below, ok) in cases {
            let m = Manifest {
                format: FORMAT,
                knowledge_date: "2026-01-01".into(),
                fineprint_min: min.into(),
                fineprint_below: below.into(),
                built_by: String::new(),
                content_sha256: String::new(),
                files: Vec::new(),
            };
            assert_eq!(
                check_compatible(&m, me).is_ok(),
                ok,
                "{me} in {min}..{below}"
            );
        }
        assert_eq!(next_breaking("0.1.3"), "0.2.0");
        assert_eq!(next_breaking("2.1.3"), "3.0.0");
        assert_eq!(version_triple("1.2"), None);
        assert_eq!(version_triple("1.2.3.4"), None);
    }

    #[test]
    fn paths_a_pack_may_hold() {
        for (p, ok) in [
            ("licenses/mit.toml", true),
            ("generated/timm.tsv", true),
            ("../x.toml", false),
            ("/etc/x.toml", false),
            ("a/./b.toml", false),
            ("a//b.toml", false),
            ("c:x.toml", false),
            ("README.md", false),
            ("", false),
        ] {
            assert_eq!(acceptable_path(p), ok, "{p}");
        }
    }

    #[test]
    fn checksum_files() {
        let sum = sha256_hex(b"abc");
        assert!(verify_checksum(b"abc", &format!("{sum}  x.tar.gz\n")).is_ok());
        assert!(verify_checksum(b"abc", &sum.to_uppercase()).is_ok());
        assert!(matches!(
            verify_checksum(b"abd", &sum),
            Err(PackError::Checksum { .. })
        ));
        assert!(matches!(
            verify_checksum(b"abc", "not a sum"),
            Err(PackError::BadChecksumFile(_))
        ));
        assert!(matches!(
            verify_checksum(b"abc", ""),
            Err(PackError::BadChecksumFile(_))
        ));
    }

    #[test]
    fn broken_archives_are_errors_not_panics() {
        let (a, _) = build(&sample(), "2026-12-06", "0.1.0").expect("builds");
        for cut in [0, 1, 10, a.len() / 2, a.len() - 1] {
            assert!(open(&a[..cut]).is_err(), "cut at {cut}");
        }
        assert!(open(b"plain text").is_err());
    }
}
