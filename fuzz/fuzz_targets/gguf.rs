//! The GGUF header reader (`evidence::gguf::read_header`) on arbitrary files.
//!
//! Input: one mode byte, then the file's first bytes. Mode below 0x80: the file is
//! exactly those bytes. Mode 0x80 + k: the file is k MiB longer, the rest zeros (a
//! sparse file, so that skips and reads far into a large file are reachable).
//!
//! Checks, besides "no panic": the reader never seeks past `MAX_SPAN` nor past the
//! end of the file, never reads from the file past `MAX_SPAN` plus its 64 KiB
//! read-ahead buffer, holds at most a bounded amount of memory, and a header it
//! accepts has version 2 or 3 and only `general.*` keys. libFuzzer's `-timeout`
//! bounds its time (a header claiming 2^62 array elements must end quickly).
//!
//! With `FINEPRINT_FUZZ_SEEDS=DIR`, the target first writes headers made by
//! `gguf::write_test_header` into DIR (its corpus) as seeds.
#![no_main]

use std::io::{self, Read, Seek, SeekFrom};

use fineprint::evidence::gguf::{self, MAX_READ, MAX_SPAN, write_test_header};
use libfuzzer_sys::fuzz_target;

#[path = "../src/peak.rs"]
mod peak;

#[global_allocator]
static ALLOC: peak::Counting = peak::Counting;

/// The reader's read-ahead buffer.
const READ_AHEAD: u64 = 64 * 1024;

/// A file of `len` bytes: `data`, then zeros. Records how far it was read and sought.
struct Sparse<'a> {
    data: &'a [u8],
    len: u64,
    pos: u64,
    furthest_read: u64,
    furthest_seek: u64,
}

impl Read for Sparse<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.len {
            return Ok(0);
        }
        let n = usize::try_from((self.len - self.pos).min(buf.len() as u64)).unwrap_or(0);
        let from_data = self
            .data
            .get(usize::try_from(self.pos).unwrap_or(usize::MAX)..)
            .unwrap_or(&[]);
        let k = from_data.len().min(n);
        buf[..k].copy_from_slice(&from_data[..k]);
        buf[k..n].fill(0);
        self.pos += n as u64;
        self.furthest_read = self.furthest_read.max(self.pos);
        Ok(n)
    }
}

impl Seek for Sparse<'_> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let bad = || io::Error::new(io::ErrorKind::InvalidInput, "seek before the start");
        let to = match to {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        }
        .ok_or_else(bad)?;
        self.furthest_seek = self.furthest_seek.max(to);
        self.pos = to;
        Ok(to)
    }
}

/// A file as a fuzz input: mode byte + bytes.
fn input(mode: u8, file: &[u8]) -> Vec<u8> {
    let mut v = vec![mode];
    v.extend_from_slice(file);
    v
}

/// Headers made by the reader's own test writer, plain and inside large sparse files.
fn seeds() -> Vec<Vec<u8>> {
    let plain = write_test_header(&[], 0);
    let card = write_test_header(
        &[
            ("general.name", "Llama 3.1 8B Instruct"),
            ("general.license", "llama3.1"),
            ("general.base_model.count", "2"),
            ("general.base_model.0.name", "Llama 3.1 8B"),
            (
                "general.base_model.0.repo_url",
                "https://huggingface.co/meta-llama/Llama-3.1-8B",
            ),
            ("general.base_model.1.name", "Some Merge"),
            ("llama.context_length", "131072"),
        ],
        200,
    );
    let qwen = write_test_header(
        &[
            ("general.name", "Qwen2.5 7B Instruct"),
            ("general.license", "apache-2.0"),
        ],
        3,
    );
    // The token array claims 2^62 elements.
    let mut huge = write_test_header(&[], 0);
    let at = huge.len() - 8;
    huge[at..].copy_from_slice(&(1u64 << 62).to_le_bytes());
    let mut out = Vec::new();
    for file in [&plain, &card, &qwen, &huge] {
        out.push(input(0, file));
        out.push(input(0x80 | 65, file));
    }
    out
}

fn write_seeds() {
    let Some(dir) = std::env::var_os("FINEPRINT_FUZZ_SEEDS") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let _ = std::fs::create_dir_all(&dir);
    for (i, s) in seeds().iter().enumerate() {
        let _ = std::fs::write(dir.join(format!("seed-write_test_header-{i}")), s);
    }
}

fuzz_target!(init: write_seeds(), |data: &[u8]| {
    let Some((&mode, file)) = data.split_first() else {
        return;
    };
    let extra = if mode & 0x80 != 0 {
        u64::from(mode & 0x7f) << 20
    } else {
        0
    };
    let len = file.len() as u64 + extra;
    let mut f = Sparse {
        data: file,
        len,
        pos: 0,
        furthest_read: 0,
        furthest_seek: 0,
    };
    let before = peak::start();
    let result = gguf::read_header(&mut f, len);
    let held = peak::peak() - before;

    assert!(
        f.furthest_seek <= MAX_SPAN.min(len),
        "sought to {} (file of {len} bytes)",
        f.furthest_seek
    );
    assert!(
        f.furthest_read <= MAX_SPAN + READ_AHEAD,
        "read up to byte {} (file of {len} bytes)",
        f.furthest_read
    );
    // Kept keys and values come out of at most MAX_READ bytes; the map's own overhead
    // per entry is a few words, and every entry costs at least 13 bytes read.
    let bound = 8 * MAX_READ as usize + 2 * READ_AHEAD as usize;
    assert!(held <= bound, "held {held} bytes at once");
    match result {
        Ok(meta) => {
            assert!((2..=3).contains(&meta.version), "{meta:?}");
            assert!(meta.general.keys().all(|k| k.starts_with("general.")));
            assert!(meta.base_models().len() <= 16);
        }
        Err(e) => assert!(!e.is_empty()),
    }
});
