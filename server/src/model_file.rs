//! The identity of a model weight file found in the tree: a SHA-256 of its header
//! only, never of its tensor data.
//!
//! * GGUF (v2 and v3, little-endian): the bytes from the start of the file to the end
//!   of the metadata key-value section: the magic `GGUF`, the `u32` version, the `u64`
//!   tensor count, the `u64` key-value count and every key-value pair. The tensor
//!   descriptions and the tensor data after them are not read.
//! * safetensors: the 8-byte little-endian header length and the JSON header it
//!   announces. The tensor data after it is not read.
//!
//! Two files with the same header hold the same architecture, tensor layout and
//! metadata (name, license, base models, tokenizer); re-quantised or fine-tuned
//! weights change it. The hash says which model file a project ships without reading
//! gigabytes: it identifies, it does not prove the weights intact.
//!
//! Invariants: never reads more than [`MAX_HEADER`] bytes of header (plus the reader's
//! buffer, [`BUFFER`]) whatever the file claims; never reads past the end of the
//! header; a count or length that cannot fit in the file or under the cap is an error
//! at once (no loop over a claimed count the bytes cannot hold); nesting of arrays is
//! followed [`MAX_DEPTH`] levels deep; any input gives an identity or an error that
//! says what was wrong and at which byte offset, never a panic.

use std::io::{BufReader, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

/// The longest header hashed (bytes). Real GGUF headers, tokenizer included, stay
/// under 20 MiB; the safetensors format caps its own header at 100 MB.
pub const MAX_HEADER: u64 = 64 * 1024 * 1024;
/// The reader's buffer: what may be read beyond the header's end at most.
pub const BUFFER: usize = 64 * 1024;
/// The deepest nesting of GGUF arrays followed.
pub const MAX_DEPTH: u32 = 3;

/// The kind of weight file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A GGUF file (llama.cpp, Ollama).
    Gguf,
    /// A safetensors file (Hugging Face).
    Safetensors,
}

impl Format {
    /// The format of a file, from its extension (case-insensitive).
    pub fn of_path(path: &Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?;
        if ext.eq_ignore_ascii_case("gguf") {
            Some(Self::Gguf)
        } else if ext.eq_ignore_ascii_case("safetensors") {
            Some(Self::Safetensors)
        } else {
            None
        }
    }

    /// What the hash covers, in words (the reports say it beside the hash).
    pub fn hashed(self) -> &'static str {
        match self {
            Self::Gguf => {
                "SHA-256 of the GGUF header (magic, version, tensor count, metadata key-value section), not of the tensor data"
            }
            Self::Safetensors => {
                "SHA-256 of the safetensors header (8-byte length and JSON header), not of the tensor data"
            }
        }
    }

    /// A short name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gguf => "gguf",
            Self::Safetensors => "safetensors",
        }
    }
}

/// A weight file's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The file's format.
    pub format: Format,
    /// Lower-case hexadecimal SHA-256 of the header bytes.
    pub sha256: String,
    /// How many bytes were hashed.
    pub header_len: u64,
}

/// The identity of the weight file at `path`, or why there is none.
pub fn identify(path: &Path) -> Result<Identity, String> {
    let format =
        Format::of_path(path).ok_or_else(|| "not a GGUF or safetensors file name".to_string())?;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let len = file
        .metadata()
        .map_err(|e| format!("cannot read its size: {e}"))?
        .len();
    identify_reader(format, file, len)
}

/// The identity of a weight file of `len` bytes read from `inner`.
pub fn identify_reader<R: Read>(format: Format, inner: R, len: u64) -> Result<Identity, String> {
    let mut h = Hashed {
        inner: BufReader::with_capacity(BUFFER, inner),
        hash: Sha256::new(),
        pos: 0,
        limit: len.min(MAX_HEADER),
        len,
    };
    match format {
        Format::Gguf => gguf(&mut h)?,
        Format::Safetensors => safetensors(&mut h)?,
    }
    Ok(Identity {
        format,
        sha256: hex(&h.hash.finalize()),
        header_len: h.pos,
    })
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A reader that hashes what it reads and refuses to go past `limit`.
struct Hashed<R> {
    inner: BufReader<R>,
    hash: Sha256,
    pos: u64,
    /// The end of the file or [`MAX_HEADER`], whichever comes first.
    limit: u64,
    /// The file's length.
    len: u64,
}

impl<R: Read> Hashed<R> {
    /// Whether `n` more bytes fit; the error names what did not.
    fn fits(&self, n: u64, what: &str) -> Result<(), String> {
        let end = self.pos.saturating_add(n);
        if end <= self.limit {
            return Ok(());
        }
        if end > self.len {
            Err(format!(
                "truncated: {what} at offset {} needs {n} bytes, the file ends at {}",
                self.pos, self.len
            ))
        } else {
            Err(format!(
                "header too large: {what} at offset {} would take it past {} MiB",
                self.pos,
                MAX_HEADER / (1024 * 1024)
            ))
        }
    }

    /// Reads and hashes `n` bytes, in pieces, keeping none of them.
    fn consume(&mut self, n: u64, what: &str) -> Result<(), String> {
        self.fits(n, what)?;
        let mut left = n;
        let mut buf = [0u8; 8192];
        while left > 0 {
            let take = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
            self.read_into(&mut buf[..take], what)?;
            left -= take as u64;
        }
        Ok(())
    }

    fn read_into(&mut self, buf: &mut [u8], what: &str) -> Result<(), String> {
        self.inner.read_exact(buf).map_err(|e| {
            format!(
                "cannot read {what} at offset {}: {}",
                self.pos,
                if e.kind() == std::io::ErrorKind::UnexpectedEof {
                    "the file ends early".to_string()
                } else {
                    e.to_string()
                }
            )
        })?;
        self.hash.update(&*buf);
        self.pos += buf.len() as u64;
        Ok(())
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], String> {
        self.fits(N as u64, what)?;
        let mut b = [0u8; N];
        self.read_into(&mut b, what)?;
        Ok(b)
    }

    fn u32(&mut self, what: &str) -> Result<u32, String> {
        self.array::<4>(what).map(u32::from_le_bytes)
    }

    fn u64(&mut self, what: &str) -> Result<u64, String> {
        self.array::<8>(what).map(u64::from_le_bytes)
    }

    /// A GGUF string: a `u64` length and that many bytes.
    fn string(&mut self, what: &str) -> Result<(), String> {
        let n = self.u64(what)?;
        self.consume(n, what)
    }

    /// Fails at once when `count` items of at least `each` bytes cannot fit.
    fn claim(&self, count: u64, each: u64, what: &str) -> Result<(), String> {
        self.fits(count.saturating_mul(each), what)
    }
}

/// The size of a fixed-size GGUF value type, `None` for strings (8) and arrays (9).
fn gguf_fixed(t: u32) -> Result<Option<u64>, String> {
    Ok(Some(match t {
        0 | 1 | 7 => 1, // u8, i8, bool
        2 | 3 => 2,     // u16, i16
        4..=6 => 4,     // u32, i32, f32
        10..=12 => 8,   // u64, i64, f64
        8 | 9 => return Ok(None),
        _ => return Err(format!("unknown GGUF value type {t}")),
    }))
}

fn gguf_value<R: Read>(h: &mut Hashed<R>, t: u32, depth: u32) -> Result<(), String> {
    match (gguf_fixed(t)?, t) {
        (Some(n), _) => h.consume(n, "a value"),
        (None, 8) => h.string("a string value"),
        (None, _) => {
            if depth >= MAX_DEPTH {
                return Err(format!(
                    "arrays nested more than {MAX_DEPTH} deep at offset {}",
                    h.pos
                ));
            }
            let at = h.pos;
            let elem = h.u32("an array's element type")?;
            let count = h.u64("an array's length")?;
            match gguf_fixed(elem).map_err(|e| format!("{e} (array at offset {at})"))? {
                Some(n) => {
                    h.claim(count, n, "an array")?;
                    h.consume(count * n, "an array")
                }
                None => {
                    // Each string or array element takes 8 bytes at least.
                    h.claim(count, 8, "an array")?;
                    (0..count).try_for_each(|_| gguf_value(h, elem, depth + 1))
                }
            }
        }
    }
}

fn gguf<R: Read>(h: &mut Hashed<R>) -> Result<(), String> {
    let magic = h.array::<4>("the magic")?;
    if &magic != b"GGUF" {
        return Err("not a GGUF file (the first 4 bytes are not `GGUF`)".into());
    }
    let version = h.u32("the version")?;
    if !(2..=3).contains(&version) {
        return Err(format!(
            "unsupported GGUF version {version} (2 and 3 are read)"
        ));
    }
    h.u64("the tensor count")?;
    let kvs = h.u64("the key-value count")?;
    // A pair takes 8 (key length) + 4 (type) + 1 bytes at least.
    h.claim(kvs, 13, "the key-value pairs")?;
    for _ in 0..kvs {
        h.string("a key")?;
        let t = h.u32("a value type")?;
        gguf_value(h, t, 0)?;
    }
    Ok(())
}

fn safetensors<R: Read>(h: &mut Hashed<R>) -> Result<(), String> {
    let n = h.u64("the header length")?;
    h.fits(n, "the JSON header")?;
    if n < 2 {
        return Err(format!("the JSON header is {n} bytes long: too short"));
    }
    let first = h.array::<1>("the JSON header")?;
    if first[0] != b'{' {
        return Err("not a safetensors file (the header does not start with `{`)".into());
    }
    h.consume(n - 1, "the JSON header")
}

/// A safetensors file with a JSON header of one tensor, and `data` bytes of tensor
/// data (for tests, benches and fuzzing).
pub fn write_test_safetensors(header: &str, data: usize) -> Vec<u8> {
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.resize(out.len() + data, 0x5a);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(format: Format, b: &[u8]) -> Result<Identity, String> {
        identify_reader(format, b, b.len() as u64)
    }

    fn sha(b: &[u8]) -> String {
        hex(&Sha256::digest(b))
    }

    #[test]
    fn gguf_hash_covers_the_key_value_section_only() {
        let header = crate::evidence::gguf::write_test_header(&[("general.name", "x")], 3);
        let mut file = header.clone();
        file.extend_from_slice(&[7u8; 1000]);
        let got = id(Format::Gguf, &file).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got.header_len, header.len() as u64);
        assert_eq!(got.sha256, sha(&header));
        // Other tensor data: the same identity.
        let mut other = header.clone();
        other.extend_from_slice(&[9u8; 50]);
        assert_eq!(id(Format::Gguf, &other).map(|i| i.sha256), Ok(got.sha256));
    }

    #[test]
    fn safetensors_hash_covers_length_and_json() {
        let json = r#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#;
        let file = write_test_safetensors(json, 8);
        let got = id(Format::Safetensors, &file).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got.header_len, 8 + json.len() as u64);
        assert_eq!(got.sha256, sha(&file[..8 + json.len()]));
    }

    #[test]
    fn bad_headers_are_errors() {
        let gguf = crate::evidence::gguf::write_test_header(&[("general.name", "x")], 2);
        let mut huge_kv = b"GGUF\x03\0\0\0".to_vec();
        huge_kv.extend_from_slice(&0u64.to_le_bytes());
        huge_kv.extend_from_slice(&u64::MAX.to_le_bytes());
        let mut bad_type = b"GGUF\x03\0\0\0".to_vec();
        bad_type.extend_from_slice(&0u64.to_le_bytes());
        bad_type.extend_from_slice(&1u64.to_le_bytes());
        bad_type.extend_from_slice(&1u64.to_le_bytes());
        bad_type.extend_from_slice(b"k");
        bad_type.extend_from_slice(&99u32.to_le_bytes());
        let rows: &[(Format, Vec<u8>, &str)] = &[
            (Format::Gguf, b"GGML\x03\0\0\0".to_vec(), "not a GGUF"),
            (
                Format::Gguf,
                b"GGUF\x01\0\0\0".to_vec(),
                "unsupported GGUF version 1",
            ),
            (Format::Gguf, b"GG".to_vec(), "truncated: the magic"),
            (Format::Gguf, gguf[..gguf.len() - 3].to_vec(), "truncated"),
            (Format::Gguf, huge_kv, "truncated: the key-value pairs"),
            (Format::Gguf, bad_type, "unknown GGUF value type 99"),
            (
                Format::Safetensors,
                vec![1, 2, 3],
                "truncated: the header length",
            ),
            (
                Format::Safetensors,
                write_test_safetensors("[1, 2]", 4),
                "does not start with `{`",
            ),
            (
                Format::Safetensors,
                u64::MAX.to_le_bytes().to_vec(),
                "truncated: the JSON header",
            ),
        ];
        for (format, bytes, want) in rows {
            let got = id(*format, bytes);
            assert!(
                matches!(&got, Err(e) if e.contains(want)),
                "{format:?} {bytes:?}: {got:?}, want {want:?}"
            );
        }
    }
}
