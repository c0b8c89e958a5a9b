//! The files a git repository tracks, read from its index (`.git/index`), so that a
//! check reads every tracked file even when a `.gitignore` pattern matches it (git's
//! ignore rules apply to untracked files only; a repository may ignore `*` and track
//! files by force).
//!
//! Invariants:
//! * Reads the index format versions 2, 3 and 4 (SHA-1 or SHA-256 object names);
//!   anything else, a truncated file or an entry that runs past the end is an error
//!   naming the file and the entry, never a panic, and the caller falls back to the
//!   walk alone.
//! * The cost is one pass over the index bytes; the result holds one path per tracked
//!   regular file (symbolic links and submodules are left out).

use std::path::{Path, PathBuf};

/// The work tree and git directory of the repository holding `dir`, if any: the
/// nearest ancestor (or `dir` itself) with a `.git` directory, or a `.git` file that
/// points to one (`gitdir: ...`, as worktrees and submodules write it).
pub fn repository_of(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let mut at = Some(dir);
    while let Some(d) = at {
        let dotgit = d.join(".git");
        if dotgit.is_dir() {
            return Some((d.to_path_buf(), dotgit));
        }
        if dotgit.is_file() {
            let text = std::fs::read_to_string(&dotgit).ok()?;
            let target = text.trim().strip_prefix("gitdir:")?.trim();
            let gitdir = d.join(target);
            return gitdir.is_dir().then(|| (d.to_path_buf(), gitdir));
        }
        at = d.parent();
    }
    None
}

/// The tracked regular files of the work tree `work`, as paths under it.
pub fn tracked_files(work: &Path, gitdir: &Path) -> Result<Vec<PathBuf>, String> {
    let index = gitdir.join("index");
    let bytes = match std::fs::read(&index) {
        Ok(b) => b,
        // A fresh repository has no index yet: nothing is tracked.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("{}: {e}", index.display())),
    };
    let sha256 = std::fs::read_to_string(gitdir.join("config"))
        .is_ok_and(|c| c.contains("objectformat = sha256"));
    let names = parse_index(&bytes, if sha256 { 32 } else { 20 })
        .map_err(|e| format!("{}: {e}", index.display()))?;
    Ok(names.into_iter().map(|n| work.join(n)).collect())
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at + 4)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    let s = b.get(at..at + 2)?;
    Some(u16::from_be_bytes([s[0], s[1]]))
}

/// The offset of the first NUL at or after `at` (the end of a path name).
fn nul_at(b: &[u8], at: usize) -> Option<usize> {
    Some(at + memchr::memchr(0, b.get(at..)?)?)
}

/// The offset-encoded integer of index version 4 (git's `varint`).
fn varint(b: &[u8], at: &mut usize) -> Option<usize> {
    let mut c = *b.get(*at)?;
    *at += 1;
    let mut v = usize::from(c & 0x7f);
    while c & 0x80 != 0 {
        c = *b.get(*at)?;
        *at += 1;
        v = v.checked_add(1)?.checked_shl(7)? | usize::from(c & 0x7f);
    }
    Some(v)
}

/// The paths of the regular-file entries of an index (`hash_len`: 20 for SHA-1, 32
/// for SHA-256), in index order.
pub fn parse_index(b: &[u8], hash_len: usize) -> Result<Vec<String>, String> {
    if b.get(..4) != Some(b"DIRC") {
        return Err("not a git index (no DIRC signature)".into());
    }
    let version = be32(b, 4).ok_or("truncated header")?;
    if !(2..=4).contains(&version) {
        return Err(format!("index version {version}: expected 2, 3 or 4"));
    }
    let count = be32(b, 8).ok_or("truncated header")? as usize;
    let mut out = Vec::with_capacity(count.min(1 << 20));
    let mut at = 12usize;
    let mut prev: Vec<u8> = Vec::new();
    // ctime, mtime (8 each), dev, ino, mode, uid, gid, size (4 each).
    let fixed = 40 + hash_len;
    for n in 0..count {
        let bad = || format!("entry {n} runs past the end of the index");
        let start = at;
        let mode = be32(b, start + 24).ok_or_else(bad)?;
        let flags = be16(b, start + fixed).ok_or_else(bad)?;
        at = start + fixed + 2;
        if version >= 3 && flags & 0x4000 != 0 {
            at += 2;
        }
        let name: Vec<u8> = if version == 4 {
            let strip = varint(b, &mut at).ok_or_else(bad)?;
            let end = nul_at(b, at).ok_or_else(bad)?;
            let keep = prev.len().checked_sub(strip).ok_or_else(bad)?;
            let mut name = prev[..keep].to_vec();
            name.extend_from_slice(&b[at..end]);
            at = end + 1;
            name
        } else {
            let end = nul_at(b, at).ok_or_else(bad)?;
            let name = b[at..end].to_vec();
            // Entries are padded with 1 to 8 NULs to a multiple of 8 bytes.
            let len = end - start;
            at = start + (len + 8) / 8 * 8;
            name
        };
        // Regular files only: 0o100644 or 0o100755 (not 0o120000 links, 0o160000 gitlinks).
        if mode >> 12 == 0o10 {
            out.push(String::from_utf8_lossy(&name).into_owned());
        }
        prev = name;
        if at > b.len() {
            return Err(bad());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An index of version `v` with the given (path, mode) entries, written as git does.
    fn index(v: u32, entries: &[(&str, u32)]) -> Vec<u8> {
        let mut b = b"DIRC".to_vec();
        b.extend_from_slice(&v.to_be_bytes());
        b.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        let mut prev = String::new();
        for (path, mode) in entries {
            let start = b.len();
            b.extend_from_slice(&[0u8; 24]);
            b.extend_from_slice(&mode.to_be_bytes());
            b.extend_from_slice(&[0u8; 12]);
            b.extend_from_slice(&[0xabu8; 20]);
            b.extend_from_slice(&(path.len().min(0xfff) as u16).to_be_bytes());
            if v == 4 {
                let common = prev
                    .bytes()
                    .zip(path.bytes())
                    .take_while(|(a, c)| a == c)
                    .count();
                let strip = prev.len() - common;
                assert!(strip < 0x80, "test helper writes one-byte varints");
                b.push(strip as u8);
                b.extend_from_slice(&path.as_bytes()[common..]);
                b.push(0);
            } else {
                b.extend_from_slice(path.as_bytes());
                let len = b.len() - start;
                let padded = (len + 8) / 8 * 8;
                b.resize(start + padded, 0);
            }
            prev = (*path).to_string();
        }
        b
    }

    #[test]
    fn versions_two_three_four_read_alike() {
        let entries = [
            ("README.md", 0o100644),
            ("scripts/run.sh", 0o100755),
            ("scripts/link", 0o120000),
            ("vendor/sub", 0o160000),
            ("src/all_rag_techniques/crag.py", 0o100644),
            ("src/all_rag_techniques/raptor.py", 0o100644),
        ];
        let want: Vec<String> = [
            "README.md",
            "scripts/run.sh",
            "src/all_rag_techniques/crag.py",
            "src/all_rag_techniques/raptor.py",
        ]
        .map(String::from)
        .to_vec();
        for v in [2, 3, 4] {
            assert_eq!(
                parse_index(&index(v, &entries), 20),
                Ok(want.clone()),
                "v{v}"
            );
        }
    }

    #[test]
    fn bad_indexes_are_errors() {
        let good = index(2, &[("a.py", 0o100644), ("b.py", 0o100644)]);
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (b"PACK".to_vec(), "signature"),
            (index(5, &[]), "version 5"),
            (good[..good.len() - 9].to_vec(), "entry 1"),
            (good[..20].to_vec(), "entry 0"),
            (
                {
                    let mut b = good.clone();
                    b[8..12].copy_from_slice(&1000u32.to_be_bytes());
                    b
                },
                "past the end",
            ),
        ];
        for (bytes, says) in cases {
            match parse_index(&bytes, 20) {
                Err(e) => assert!(e.contains(says), "{e:?} should say {says:?}"),
                Ok(v) => panic!("{says}: read as {v:?}"),
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let good = index(4, &[("a/b.py", 0o100644), ("a/c.py", 0o100644)]);
        for cut in 0..good.len() {
            let _ = parse_index(&good[..cut], 20);
            let mut flipped = good.clone();
            flipped[cut] ^= 0xff;
            let _ = parse_index(&flipped, 20);
        }
    }
}
