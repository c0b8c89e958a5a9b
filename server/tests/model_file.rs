//! Model file identity (`fineprint::model_file`): a GGUF or safetensors file is
//! identified by the SHA-256 of its header only. Synthetic files in throwaway folders:
//! valid ones, corrupt, truncated and oversized headers, and a read that never reaches
//! the tensor data however large it is.

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use fineprint::evidence::gguf::write_test_header;
use fineprint::model_file::write_test_safetensors;
use fineprint::model_file::{BUFFER, Format, MAX_HEADER, identify, identify_reader};

/// SHA-256 as lower-case hex, from `sha256sum`-like reference bytes (the test computes
/// it with the `sha2` crate the library uses; what it checks is which bytes are hashed).
fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    p
}

const JSON: &str =
    r#"{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#;

#[test]
fn valid_files_hash_their_header_only() {
    let dir = tempfile::tempdir().expect("tempdir");
    let header = write_test_header(&[("general.name", "Tiny"), ("general.license", "mit")], 5);
    // (file name, file bytes, the bytes the hash must cover)
    let mut gguf = header.clone();
    gguf.extend_from_slice(&[0xAB; 4096]);
    let st = write_test_safetensors(JSON, 16);
    let rows: Vec<(&str, Vec<u8>, Vec<u8>)> = vec![
        ("tiny.gguf", gguf, header.clone()),
        ("TINY.GGUF", header.clone(), header.clone()),
        (
            "tiny.safetensors",
            st.clone(),
            st[..8 + JSON.len()].to_vec(),
        ),
    ];
    for (name, bytes, hashed) in rows {
        let p = write(&dir, name, &bytes);
        let id = identify(&p).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(id.sha256, sha256(&hashed), "{name}");
        assert_eq!(id.header_len, hashed.len() as u64, "{name}");
    }
    // Different tensor data, same header: same identity; a different header: another.
    let a = write(&dir, "a.safetensors", &write_test_safetensors(JSON, 16));
    let mut other = write_test_safetensors(JSON, 16);
    let n = other.len();
    other[n - 1] = 1;
    let b = write(&dir, "b.safetensors", &other);
    let c = write(
        &dir,
        "c.safetensors",
        &write_test_safetensors(&JSON.replace("F32", "F16"), 16),
    );
    let (a, b, c) = (identify(&a), identify(&b), identify(&c));
    assert_eq!(a, b);
    assert_ne!(a.map(|i| i.sha256), c.map(|i| i.sha256));
}

#[test]
fn bad_files_are_clear_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let header = write_test_header(&[("general.name", "Tiny")], 3);
    let mut bad_array = b"GGUF\x03\0\0\0".to_vec();
    bad_array.extend_from_slice(&0u64.to_le_bytes());
    bad_array.extend_from_slice(&1u64.to_le_bytes());
    bad_array.extend_from_slice(&1u64.to_le_bytes());
    bad_array.push(b'k');
    bad_array.extend_from_slice(&9u32.to_le_bytes()); // array
    bad_array.extend_from_slice(&8u32.to_le_bytes()); // of strings
    bad_array.extend_from_slice(&(u64::MAX / 2).to_le_bytes()); // that many
    // (file name, bytes, part of the error)
    let rows: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.gguf", vec![], "truncated: the magic"),
        (
            "wrong.gguf",
            b"PK\x03\x04zip file".to_vec(),
            "not a GGUF file",
        ),
        (
            "v1.gguf",
            b"GGUF\x01\0\0\0".to_vec(),
            "unsupported GGUF version 1",
        ),
        ("cut.gguf", header[..header.len() - 1].to_vec(), "truncated"),
        ("array.gguf", bad_array, "truncated: an array"),
        ("empty.safetensors", vec![], "truncated: the header length"),
        (
            "short.safetensors",
            vec![5, 0, 0, 0],
            "truncated: the header length",
        ),
        (
            "cut.safetensors",
            write_test_safetensors(JSON, 0)[..20].to_vec(),
            "truncated: the JSON header",
        ),
        (
            "pickle.safetensors",
            write_test_safetensors("\u{80}\u{2}}q", 8),
            "does not start with `{`",
        ),
        ("zero.safetensors", 0u64.to_le_bytes().to_vec(), "too short"),
        (
            "model.bin",
            b"GGUF".to_vec(),
            "not a GGUF or safetensors file name",
        ),
    ];
    for (name, bytes, want) in rows {
        let p = write(&dir, name, &bytes);
        match identify(&p) {
            Err(e) => assert!(e.contains(want), "{name}: {e:?}, want {want:?}"),
            Ok(id) => panic!("{name}: identified as {id:?}, want an error with {want:?}"),
        }
    }
    match identify(&dir.path().join("missing.gguf")) {
        Err(e) => assert!(e.contains("cannot open"), "{e}"),
        Ok(id) => panic!("a missing file was identified: {id:?}"),
    }
}

/// A header that claims more than the cap in a file that really is that large (sparse,
/// so it costs no disk): refused before anything past the cap is read.
#[test]
fn an_oversized_header_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let claimed = MAX_HEADER + 1;
    let p = dir.path().join("huge.safetensors");
    {
        let mut f = std::fs::File::create(&p).expect("create");
        f.write_all(&claimed.to_le_bytes()).expect("write");
        f.write_all(b"{").expect("write");
        f.set_len(claimed + 1024).expect("sparse length");
    }
    let e = identify(&p).expect_err("an oversized header is an error");
    assert!(e.contains("header too large"), "{e}");
    // GGUF: a string longer than the cap.
    let p = dir.path().join("huge.gguf");
    {
        let mut f = std::fs::File::create(&p).expect("create");
        let mut b = b"GGUF\x03\0\0\0".to_vec();
        b.extend_from_slice(&0u64.to_le_bytes());
        b.extend_from_slice(&1u64.to_le_bytes());
        b.extend_from_slice(&(MAX_HEADER * 2).to_le_bytes());
        f.write_all(&b).expect("write");
        f.set_len(MAX_HEADER * 3).expect("sparse length");
    }
    let e = identify(&p).expect_err("an oversized key is an error");
    assert!(e.contains("header too large"), "{e}");
}

/// Counts the bytes read through it.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// However much tensor data follows the header (here up to 64 MiB, and a sparse 8 GiB
/// file), what is read is the header and at most one buffer more.
#[test]
fn tensor_data_is_never_read() {
    let header = write_test_header(&[("general.name", "Tiny")], 1000);
    let st_header = write_test_safetensors(JSON, 0);
    for (format, head) in [(Format::Gguf, &header), (Format::Safetensors, &st_header)] {
        for data in [0usize, 1 << 20, 64 << 20] {
            let mut file = head.clone();
            file.resize(head.len() + data, 0x77);
            let read = Arc::new(AtomicU64::new(0));
            let id = identify_reader(
                format,
                Counting {
                    inner: file.as_slice(),
                    read: read.clone(),
                },
                file.len() as u64,
            )
            .unwrap_or_else(|e| panic!("{format:?}: {e}"));
            assert_eq!(id.header_len, head.len() as u64);
            let n = read.load(Ordering::Relaxed);
            assert!(
                n <= head.len() as u64 + BUFFER as u64,
                "{format:?} with {data} bytes of tensors: read {n} bytes for a {}-byte header",
                head.len()
            );
        }
    }
    // A sparse 8 GiB file: identified from its header.
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("big.gguf");
    {
        let mut f = std::fs::File::create(&p).expect("create");
        f.write_all(&header).expect("write");
        f.set_len(8 << 30).expect("sparse length");
    }
    let id = identify(&p).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(id.sha256, sha256(&header));
}
