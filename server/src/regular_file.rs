//! Reading a file that a user names or a walk finds: only a regular file, and never
//! more than a cap.
//!
//! Invariants:
//! * The metadata is looked at before the file is opened: a FIFO (opening one blocks
//!   until a writer comes), a socket, a device, a folder or a link to nothing is
//!   refused without being opened. (For a file a walk lists, the listing's own file
//!   type is that look: [`read_listed_into`].) The opened file's own metadata is checked again,
//!   so a path swapped for something else in between is refused as well.
//! * At most `limit + 1` bytes are read, so a file that grows while it is read cannot
//!   make the read hold more than the cap: it is refused as too large.

use std::fs::FileType;
use std::io::Read;
use std::path::Path;

/// Why a file was not read.
#[derive(Debug)]
pub enum ReadError {
    /// Not a regular file: what it is (`FIFO`, `socket`, `directory`, ...).
    NotRegular(&'static str),
    /// A symbolic link whose target does not exist.
    DanglingLink,
    /// Larger than `limit` bytes; `size` when the metadata said so before reading
    /// (`None`: the file grew past the cap while it was read).
    TooLarge {
        /// The cap, in bytes.
        limit: u64,
        /// The size the metadata gave.
        size: Option<u64>,
    },
    /// The system refused.
    Io(std::io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotRegular(what) => write!(f, "not a regular file ({what})"),
            Self::DanglingLink => write!(f, "a symbolic link to a file that does not exist"),
            Self::TooLarge { limit, size } => {
                write!(f, "larger than {}", size_words(*limit))?;
                match size {
                    Some(s) => write!(f, " ({s} bytes)"),
                    None => write!(f, " (it grew while it was read)"),
                }
            }
            Self::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// `8 MiB` for a whole number of MiB, else `N bytes`.
fn size_words(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// What a file type that is not a regular file is, in words.
pub fn kind_of(ft: &FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "FIFO";
        }
        if ft.is_socket() {
            return "socket";
        }
        if ft.is_char_device() {
            return "character device";
        }
        if ft.is_block_device() {
            return "block device";
        }
    }
    if ft.is_dir() {
        "directory"
    } else if ft.is_symlink() {
        "symbolic link"
    } else if ft.is_file() {
        "regular file"
    } else {
        "special file"
    }
}

/// Reads at most `limit` bytes of the regular file at `path`, following symbolic links.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::new();
    read_into(path, limit, &mut buf)?;
    Ok(buf)
}

/// [`read`] into `buf` (cleared first; its allocation is reused).
pub fn read_into(path: &Path, limit: u64, buf: &mut Vec<u8>) -> Result<(), ReadError> {
    buf.clear();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                && path.symlink_metadata().is_ok_and(|m| m.is_symlink()) =>
        {
            return Err(ReadError::DanglingLink);
        }
        Err(e) => return Err(ReadError::Io(e)),
    };
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind_of(&meta.file_type())));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            limit,
            size: Some(meta.len()),
        });
    }
    read_listed_into(path, limit, buf)
}

/// [`read_into`] of a path that a directory listing just gave as a regular file (not
/// a link): the listing's file type was the look before opening, so the path is not
/// looked up once more; the opened file's own metadata is still checked. A walk keeps
/// one buffer per thread, so that each file read does not ask the allocator, and the
/// system, for fresh pages.
pub fn read_listed_into(path: &Path, limit: u64, buf: &mut Vec<u8>) -> Result<(), ReadError> {
    buf.clear();
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    let opened = file.metadata().map_err(ReadError::Io)?;
    if !opened.is_file() {
        return Err(ReadError::NotRegular(kind_of(&opened.file_type())));
    }
    if opened.len() > limit {
        return Err(ReadError::TooLarge {
            limit,
            size: Some(opened.len()),
        });
    }
    read_capped_into(file, opened.len(), limit, buf)
}

/// The UTF-8 text of a regular file of at most `limit` bytes; `None` for anything
/// else (for callers that pass over what they cannot read).
pub fn read_text(path: &Path, limit: u64) -> Option<String> {
    read(path, limit)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
}

/// Reads `r` to its end into `buf`, or refuses once it has given more than `limit`
/// bytes (and leaves `buf` empty); `expected`: the size the metadata gave, to size
/// the buffer.
fn read_capped_into(
    r: impl Read,
    expected: u64,
    limit: u64,
    buf: &mut Vec<u8>,
) -> Result<(), ReadError> {
    // One byte more than expected: the read that finds the end needs no growth.
    buf.reserve(
        usize::try_from(expected.min(limit))
            .unwrap_or(0)
            .saturating_add(1),
    );
    r.take(limit.saturating_add(1))
        .read_to_end(buf)
        .map_err(ReadError::Io)?;
    if u64::try_from(buf.len()).unwrap_or(u64::MAX) > limit {
        buf.clear();
        return Err(ReadError::TooLarge { limit, size: None });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_regular_file_and_caps_the_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("f.toml");
        std::fs::write(&file, "0123456789").expect("write");
        let cases: Vec<(&Path, u64, &str)> = vec![
            (&file, 10, "ok"),
            (&file, 9, "larger than 9 bytes (10 bytes)"),
            (dir.path(), 10, "not a regular file (directory)"),
            (
                Path::new("/dev/null"),
                10,
                "not a regular file (character device)",
            ),
        ];
        for (path, limit, want) in cases {
            let got = match read(path, limit) {
                Ok(_) => "ok".to_string(),
                Err(e) => e.to_string(),
            };
            assert_eq!(got, want, "{}", path.display());
        }
    }

    #[test]
    fn a_file_that_grows_while_read_stops_at_the_cap() {
        // An endless reader stands for a file that grows faster than it is read.
        let mut buf = Vec::new();
        let got = read_capped_into(std::io::repeat(b'x'), 0, 1024 * 1024, &mut buf);
        assert_eq!(
            got.map_err(|e| e.to_string()),
            Err("larger than 1 MiB (it grew while it was read)".to_string())
        );
        assert!(buf.is_empty(), "a refused read leaves the buffer empty");
        // A buffer reused from a longer file holds only the file read last.
        buf.extend_from_slice(b"an earlier, longer file");
        buf.clear();
        let got = read_capped_into(&b"abc"[..], 3, 3, &mut buf).map_err(|e| e.to_string());
        assert_eq!((got, buf), (Ok(()), b"abc".to_vec()));
    }
}
