//! The key-value header of a GGUF file, read without touching the tensors.
//!
//! Layout (GGUF v2 and v3, little-endian): the magic `GGUF`, a `u32` version, a `u64`
//! tensor count, a `u64` key-value count, then the key-value pairs. A key is a string
//! (`u64` length, UTF-8 bytes); a value is a `u32` type followed by its data. Only the
//! string and integer values of `general.*` keys are kept; everything else (the
//! tokenizer's large arrays in particular) is skipped by seeking.
//!
//! Invariants: never reads more than [`MAX_READ`] bytes of data, never reads or seeks
//! past [`MAX_SPAN`] bytes into the file (its 64 KiB read-ahead buffer may fetch up to
//! 64 KiB more) nor past its end, never recurses more than [`MAX_DEPTH`] array levels,
//! fails at once on a count of elements or key-value pairs that cannot fit in what is
//! left, and never panics: any input gives metadata or an error that says what was
//! wrong and at which byte offset.

use std::collections::BTreeMap;
use std::io::{Read, Seek};

/// The most bytes of key and value data read from one file.
pub const MAX_READ: u64 = 16 * 1024 * 1024;
/// The furthest offset the reader goes to; headers of real files end well before.
pub const MAX_SPAN: u64 = 64 * 1024 * 1024;
/// The deepest nesting of arrays followed.
pub const MAX_DEPTH: u32 = 3;
/// Longest key or kept string value.
const MAX_STRING: u64 = 64 * 1024;

/// The `general.*` keys of a GGUF header, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GgufMeta {
    /// Format version.
    pub version: u32,
    /// `general.*` keys with string or integer values.
    pub general: BTreeMap<String, String>,
}

impl GgufMeta {
    /// A `general.` key.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.general.get(key).map(String::as_str)
    }

    /// The base models named by `general.base_model.N.*`: a Hugging Face `org/name`
    /// taken from `repo_url` when it points at huggingface.co, else the `name`.
    pub fn base_models(&self) -> Vec<String> {
        let count = self
            .get("general.base_model.count")
            .and_then(|c| c.parse::<usize>().ok())
            .unwrap_or(0)
            .min(16);
        (0..count)
            .filter_map(|i| {
                let k = |f: &str| self.get(&format!("general.base_model.{i}.{f}"));
                k("repo_url")
                    .and_then(hf_repo_of_url)
                    .or_else(|| k("name").map(str::to_string))
            })
            .collect()
    }
}

/// `org/name` of a `https://huggingface.co/org/name[/...]` address.
pub fn hf_repo_of_url(url: &str) -> Option<String> {
    let rest = url
        .trim()
        .strip_prefix("https://huggingface.co/")
        .or_else(|| url.trim().strip_prefix("http://huggingface.co/"))?;
    let mut parts = rest.split('/');
    let org = parts.next().filter(|s| !s.is_empty())?;
    let name = parts.next().filter(|s| !s.is_empty())?;
    Some(format!("{org}/{name}"))
}

struct Reader<R> {
    inner: std::io::BufReader<R>,
    pos: u64,
    len: u64,
    read: u64,
}

const TYPE_STRING: u32 = 8;
const TYPE_ARRAY: u32 = 9;

fn fixed_size(t: u32) -> Option<u64> {
    match t {
        0 | 1 | 7 => Some(1),
        2 | 3 => Some(2),
        4..=6 => Some(4),
        10..=12 => Some(8),
        _ => None,
    }
}

impl<R: Read + Seek> Reader<R> {
    fn budget(&mut self, n: u64, what: &str) -> Result<(), String> {
        if self.pos.saturating_add(n) > self.len {
            return Err(format!(
                "truncated at byte {}: {what} needs {n} more bytes",
                self.pos
            ));
        }
        if self.pos.saturating_add(n) > MAX_SPAN {
            return Err(format!("the header runs past {MAX_SPAN} bytes"));
        }
        self.read = self.read.saturating_add(n);
        if self.read > MAX_READ {
            return Err(format!(
                "the header holds more than {MAX_READ} bytes of metadata (at byte {})",
                self.pos
            ));
        }
        Ok(())
    }

    /// Fails at once when `n` items, each at least `each` bytes read (not skipped),
    /// cannot fit in what is left of the file, of [`MAX_SPAN`] or of [`MAX_READ`]:
    /// reading them one by one would fail the same way, after up to `MAX_READ` bytes.
    fn claim(&self, n: u64, each: u64, what: &str) -> Result<(), String> {
        let need = n.saturating_mul(each);
        let left = self.len.saturating_sub(self.pos);
        if need > left {
            return Err(format!(
                "truncated at byte {}: {n} {what} of at least {each} bytes each do not fit in the {left} bytes left",
                self.pos
            ));
        }
        if need > MAX_SPAN.saturating_sub(self.pos) {
            return Err(format!(
                "the header runs past {MAX_SPAN} bytes ({n} {what} at byte {})",
                self.pos
            ));
        }
        if need > MAX_READ.saturating_sub(self.read) {
            return Err(format!(
                "the header holds more than {MAX_READ} bytes of metadata ({n} {what} at byte {})",
                self.pos
            ));
        }
        Ok(())
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], String> {
        self.budget(N as u64, what)?;
        let mut buf = [0u8; N];
        self.inner
            .read_exact(&mut buf)
            .map_err(|e| format!("read error at byte {}: {e}", self.pos))?;
        self.pos += N as u64;
        Ok(buf)
    }

    fn bytes(&mut self, n: u64, what: &str) -> Result<Vec<u8>, String> {
        self.budget(n, what)?;
        let n_usize = usize::try_from(n).map_err(|_| format!("{what} too large"))?;
        let mut buf = vec![0; n_usize];
        self.inner
            .read_exact(&mut buf)
            .map_err(|e| format!("read error at byte {}: {e}", self.pos))?;
        self.pos += n;
        Ok(buf)
    }

    fn skip(&mut self, n: u64, what: &str) -> Result<(), String> {
        let to = self
            .pos
            .checked_add(n)
            .filter(|&t| t <= self.len)
            .ok_or_else(|| {
                format!(
                    "truncated at byte {}: {what} runs past the end of the file",
                    self.pos
                )
            })?;
        if to > MAX_SPAN {
            return Err(format!("the header runs past {MAX_SPAN} bytes"));
        }
        // Within the buffer this costs nothing; beyond it, one seek.
        let delta = i64::try_from(n).map_err(|_| format!("{what} too large"))?;
        self.inner
            .seek_relative(delta)
            .map_err(|e| format!("seek error at byte {}: {e}", self.pos))?;
        self.pos = to;
        Ok(())
    }

    fn u32(&mut self) -> Result<u32, String> {
        self.array("a 32-bit integer").map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Result<u64, String> {
        self.array("a 64-bit integer").map(u64::from_le_bytes)
    }

    fn string(&mut self, what: &str) -> Result<String, String> {
        let at = self.pos;
        let n = self.u64()?;
        if n > MAX_STRING {
            return Err(format!("{what} at byte {at} is {n} bytes long"));
        }
        let b = self.bytes(n, what)?;
        String::from_utf8(b).map_err(|_| format!("{what} at byte {at} is not UTF-8"))
    }

    fn skip_string(&mut self) -> Result<(), String> {
        let n = self.u64()?;
        self.skip(n, "a string")
    }

    /// Reads a value of type `t`: its text when it is a string or an integer and
    /// `keep` is set, else skips it.
    fn value(&mut self, t: u32, keep: bool, depth: u32) -> Result<Option<String>, String> {
        let at = self.pos;
        match t {
            TYPE_STRING if keep => self.string("a string value").map(Some),
            TYPE_STRING => self.skip_string().map(|()| None),
            TYPE_ARRAY => {
                if depth >= MAX_DEPTH {
                    return Err(format!(
                        "arrays nested deeper than {MAX_DEPTH} at byte {at}"
                    ));
                }
                let et = self.u32()?;
                let n = self.u64()?;
                if let Some(size) = fixed_size(et) {
                    let total = n
                        .checked_mul(size)
                        .ok_or_else(|| format!("array length overflows at byte {at}"))?;
                    self.skip(total, "an array")?;
                } else if et == TYPE_STRING || et == TYPE_ARRAY {
                    // A string is at least its 8-byte length; an array its type and length.
                    let each = if et == TYPE_STRING { 8 } else { 12 };
                    self.claim(n, each, "array elements")?;
                    for _ in 0..n {
                        self.value(et, false, depth + 1)?;
                    }
                } else {
                    return Err(format!("unknown array element type {et} at byte {at}"));
                }
                Ok(None)
            }
            _ => {
                let size =
                    fixed_size(t).ok_or_else(|| format!("unknown value type {t} at byte {at}"))?;
                if keep && matches!(t, 0 | 2 | 4 | 10) {
                    let b = self.bytes(size, "an integer")?;
                    let mut a = [0u8; 8];
                    a[..b.len()].copy_from_slice(&b);
                    Ok(Some(u64::from_le_bytes(a).to_string()))
                } else {
                    self.skip(size, "a value")?;
                    Ok(None)
                }
            }
        }
    }
}

/// Reads the header of a GGUF stream of `len` bytes.
pub fn read_header<R: Read + Seek>(inner: R, len: u64) -> Result<GgufMeta, String> {
    let mut r = Reader {
        inner: std::io::BufReader::with_capacity(64 * 1024, inner),
        pos: 0,
        len,
        read: 0,
    };
    let magic = r.bytes(4, "the magic number")?;
    if magic != b"GGUF" {
        return Err("not a GGUF file (the first 4 bytes are not `GGUF`)".into());
    }
    let version = r.u32()?;
    if !(2..=3).contains(&version) {
        return Err(format!(
            "unsupported GGUF version {version} (2 and 3 are read)"
        ));
    }
    let _tensors = r.u64()?;
    let kvs = r.u64()?;
    // A key-value pair is at least a key length and a value type.
    r.claim(kvs, 12, "key-value pairs")?;
    let mut meta = GgufMeta {
        version,
        ..GgufMeta::default()
    };
    for _ in 0..kvs {
        let key = r.string("a key")?;
        let t = r.u32()?;
        let keep = key.starts_with("general.");
        if let Some(v) = r.value(t, keep, 0)? {
            meta.general.insert(key, v);
        }
    }
    Ok(meta)
}

/// Reads the header of a GGUF file.
pub fn read_file(path: &std::path::Path) -> Result<GgufMeta, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let len = file
        .metadata()
        .map_err(|e| format!("cannot read metadata: {e}"))?
        .len();
    read_header(file, len)
}

/// Writes a GGUF v3 header with string key-values and one string-array (for tests,
/// benchmarks and fuzz seeds).
pub fn write_test_header(kvs: &[(&str, &str)], tokens: usize) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"GGUF");
    out.extend_from_slice(&3u32.to_le_bytes());
    out.extend_from_slice(&0u64.to_le_bytes());
    out.extend_from_slice(&(kvs.len() as u64 + 2).to_le_bytes());
    let s = |out: &mut Vec<u8>, v: &str| {
        out.extend_from_slice(&(v.len() as u64).to_le_bytes());
        out.extend_from_slice(v.as_bytes());
    };
    s(&mut out, "general.architecture");
    out.extend_from_slice(&TYPE_STRING.to_le_bytes());
    s(&mut out, "llama");
    s(&mut out, "tokenizer.ggml.tokens");
    out.extend_from_slice(&TYPE_ARRAY.to_le_bytes());
    out.extend_from_slice(&TYPE_STRING.to_le_bytes());
    out.extend_from_slice(&(tokens as u64).to_le_bytes());
    for i in 0..tokens {
        s(&mut out, &format!("tok{i}"));
    }
    for (k, v) in kvs {
        s(&mut out, k);
        if let Ok(n) = v.parse::<u32>() {
            out.extend_from_slice(&4u32.to_le_bytes());
            out.extend_from_slice(&n.to_le_bytes());
        } else {
            out.extend_from_slice(&TYPE_STRING.to_le_bytes());
            s(&mut out, v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn read(b: &[u8]) -> Result<GgufMeta, String> {
        read_header(Cursor::new(b), b.len() as u64)
    }

    #[test]
    fn reads_general_keys_and_skips_the_rest() {
        let b = write_test_header(
            &[
                ("general.license", "llama3.1"),
                ("general.base_model.count", "2"),
                ("general.base_model.0.name", "Llama 3.1 8B Instruct"),
                (
                    "general.base_model.0.repo_url",
                    "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct",
                ),
                ("general.base_model.1.name", "Some Merge"),
            ],
            1000,
        );
        let m = read(&b).expect("header");
        assert_eq!(m.version, 3);
        assert_eq!(m.get("general.license"), Some("llama3.1"));
        assert_eq!(m.get("general.architecture"), Some("llama"));
        assert_eq!(
            m.base_models(),
            ["meta-llama/Llama-3.1-8B-Instruct", "Some Merge"]
        );
    }

    #[test]
    fn bad_headers_are_errors() {
        let good = write_test_header(&[("general.license", "mit")], 3);
        let mut huge_array = write_test_header(&[], 0);
        // Claim 2^62 string tokens: the reader must stop at the end of the data.
        let at = huge_array.len() - 8;
        huge_array[at..].copy_from_slice(&(1u64 << 62).to_le_bytes());
        let mut long_key = good.clone();
        long_key[24..32].copy_from_slice(&u64::MAX.to_le_bytes());
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("empty", vec![], "truncated"),
            ("wrong magic", b"GGML\x03\0\0\0".to_vec(), "not a GGUF"),
            (
                "version 1",
                b"GGUF\x01\0\0\0".to_vec(),
                "unsupported GGUF version 1",
            ),
            (
                "cut in the middle",
                good[..good.len() - 3].to_vec(),
                "truncated",
            ),
            ("huge array", huge_array, "truncated"),
            ("huge key", long_key, "bytes long"),
        ];
        for (what, bytes, want) in cases {
            match read(&bytes) {
                Ok(m) => panic!("{what}: expected an error, got {m:?}"),
                Err(e) => assert!(e.contains(want), "{what}: {e}"),
            }
        }
    }

    #[test]
    fn url_to_repo() {
        let cases = [
            (
                "https://huggingface.co/meta-llama/Llama-3.1-8B",
                Some("meta-llama/Llama-3.1-8B"),
            ),
            (
                "https://huggingface.co/Qwen/Qwen2.5-7B/tree/main",
                Some("Qwen/Qwen2.5-7B"),
            ),
            ("https://huggingface.co/Qwen", None),
            ("https://example.com/a/b", None),
        ];
        for (url, want) in cases {
            assert_eq!(hf_repo_of_url(url).as_deref(), want, "{url}");
        }
    }
}
