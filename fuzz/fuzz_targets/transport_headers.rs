//! The language server's framing filter (`lsp::transport::filtered`) on an arbitrary
//! client stream: its bounded header reader, the body limit, and the cancellation
//! answers.
//!
//! Input: raw bytes, split at each `\x00\xff`; every piece after the first starts
//! with a little-endian `u16` count and is repeated that many times (so one short
//! input makes header lines and bodies of megabytes). The stream is made as the
//! filter reads it, never held whole; it is cut at 4 MiB.
//!
//! Checks, besides "no panic" and ending at the end of the stream:
//! * every message reaches the server as `Content-Length: N\r\n\r\n` + N bytes, whole,
//!   with N at most `MAX_BODY` and a body the library accepts; there are no more
//!   messages than header blocks (two line ends each) in the stream;
//! * what the filter writes to the client itself is whole frames, each a -32800
//!   (request cancelled) error response;
//! * memory: the filter holds at most two bodies of the largest length announced in
//!   the stream (at most `MAX_BODY`) plus a fixed 2 MiB, whatever the length of the
//!   header lines; a header reader that kept whole lines would hold up to 4 MiB.
#![no_main]

use std::pin::Pin;
use std::sync::LazyLock;
use std::task::{Context, Poll};

use fineprint::lsp::transport::{MAX_BODY, Pipes, acceptable, filtered};
use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncRead, AsyncReadExt, ReadBuf};

#[path = "../src/peak.rs"]
mod peak;

#[global_allocator]
static ALLOC: peak::Counting = peak::Counting;

/// The longest stream made from one input.
const MAX_STREAM: usize = 4 << 20;
/// Memory the filter, the runtime and this harness may hold besides bodies.
const SLACK: usize = 2 << 20;

/// `FUZZ_PRINT_PEAK=1`: print what each input made the filter hold.
static PRINT_PEAK: LazyLock<bool> = LazyLock::new(|| std::env::var_os("FUZZ_PRINT_PEAK").is_some());

static RT: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
});

/// The stream as blocks, each repeated a number of times.
fn blocks(data: &[u8]) -> Vec<(Vec<u8>, usize)> {
    let mut out = Vec::new();
    let mut total = 0usize;
    let mut push = |out: &mut Vec<(Vec<u8>, usize)>, unit: &[u8], count: usize| {
        if unit.is_empty() || count == 0 || total >= MAX_STREAM {
            return;
        }
        let count = count.min((MAX_STREAM - total).div_ceil(unit.len()));
        total += unit.len() * count;
        // Short units are grouped into blocks of about 4 KiB, so that the stream is
        // read in large chunks.
        let per = count.min(4096usize.div_ceil(unit.len()));
        out.push((unit.repeat(per), count / per));
        if !count.is_multiple_of(per) {
            out.push((unit.repeat(count % per), 1));
        }
    };
    let mut pieces = split(data, b"\x00\xff");
    if let Some(first) = pieces.next() {
        push(&mut out, first, 1);
    }
    for p in pieces {
        let (count, unit) = match p {
            [a, b, rest @ ..] => (usize::from(u16::from_le_bytes([*a, *b])), rest),
            _ => (1, p),
        };
        push(&mut out, unit, count);
    }
    out
}

fn split<'a>(data: &'a [u8], sep: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let mut rest = Some(data);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.windows(sep.len()).position(|w| w == sep) {
            Some(i) => {
                rest = Some(&r[i + sep.len()..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// The blocks as a reader, cut at `MAX_STREAM`.
struct Stream {
    blocks: Vec<(Vec<u8>, usize)>,
    block: usize,
    done: usize,
    at: usize,
    left: usize,
}

impl Stream {
    fn new(blocks: Vec<(Vec<u8>, usize)>) -> Self {
        Self {
            blocks,
            block: 0,
            done: 0,
            at: 0,
            left: MAX_STREAM,
        }
    }

    /// The next bytes of the stream (empty at its end).
    fn next(&mut self, max: usize) -> &[u8] {
        loop {
            let Some((b, times)) = self.blocks.get(self.block) else {
                return &[];
            };
            if self.left == 0 {
                return &[];
            }
            if self.done >= *times {
                self.block += 1;
                self.done = 0;
            } else if self.at >= b.len() {
                self.at = 0;
                self.done += 1;
            } else {
                break;
            }
        }
        let b = &self.blocks[self.block].0;
        let n = max.min(b.len() - self.at).min(self.left);
        let s = &b[self.at..self.at + n];
        self.at += n;
        self.left -= n;
        s
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let s = self.next(buf.remaining());
        buf.put_slice(s);
        Poll::Ready(Ok(()))
    }
}

/// What the stream announces: at most how many messages it holds (a message needs
/// two line ends: its header line and the empty line after it), and the largest
/// number at most `MAX_BODY` that follows a `Content-Length:` name (any case) on its
/// line. The numbers are read with every block repeated at most 3 times: a number
/// across more repetitions of a block (4 KiB or more) either has more than 12,000
/// digits or only leading zeros, so the largest one is the same, or only larger.
fn announced(blocks: &[(Vec<u8>, usize)]) -> (usize, usize) {
    const NAME: &[u8] = b"content-length:";
    let line_ends: usize = blocks
        .iter()
        .map(|(b, times)| b.iter().filter(|&&c| c == b'\n').count() * times)
        .sum();
    let mut s = Stream::new(
        blocks
            .iter()
            .map(|(b, t)| (b.clone(), (*t).min(3)))
            .collect(),
    );
    let mut largest = 0usize;
    let (mut matched, mut seen, mut number) = (0usize, false, None::<usize>);
    loop {
        let chunk = s.next(64 * 1024);
        if chunk.is_empty() {
            break;
        }
        for &c in chunk {
            if seen && c.is_ascii_digit() {
                let n = number.unwrap_or(0);
                number = Some(n.saturating_mul(10).saturating_add(usize::from(c - b'0')));
            } else if let Some(n) = number.take()
                && n <= MAX_BODY
            {
                largest = largest.max(n);
            }
            let c = c.to_ascii_lowercase();
            matched = if c == NAME[matched] {
                matched + 1
            } else {
                usize::from(c == NAME[0])
            };
            if matched == NAME.len() {
                seen = true;
                matched = 0;
            }
            if c == b'\n' {
                seen = false;
            }
        }
    }
    if let Some(n) = number.filter(|&n| n <= MAX_BODY) {
        largest = largest.max(n);
    }
    (line_ends / 2, largest)
}

/// Reads `Content-Length` frames to the end of `r`, checking each body; how many.
async fn frames(mut r: impl AsyncRead + Unpin, check: impl Fn(&[u8])) -> usize {
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut count = 0;
    loop {
        let n = r.read(&mut chunk).await.expect("read a pipe");
        if n == 0 {
            assert!(
                buf.is_empty(),
                "a partial frame: {:?}",
                &buf[..buf.len().min(80)]
            );
            return count;
        }
        buf.extend_from_slice(&chunk[..n]);
        // The frames read whole are dropped at once after the loop (not one by one).
        let mut start = 0;
        while let Some(end) = buf[start..].windows(4).position(|w| w == b"\r\n\r\n") {
            let end = start + end;
            let head = std::str::from_utf8(&buf[start..end]).expect("an ASCII header");
            let len: usize = head
                .strip_prefix("Content-Length: ")
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("a bad header {head:?}"));
            if buf.len() < end + 4 + len {
                break;
            }
            check(&buf[end + 4..end + 4 + len]);
            count += 1;
            start = end + 4 + len;
        }
        buf.drain(..start);
        assert!(
            buf.len() < 64 || buf.windows(4).any(|w| w == b"\r\n\r\n"),
            "a header without an end: {:?}",
            &buf[..buf.len().min(80)]
        );
    }
}

async fn run(stream: Stream) -> (usize, usize) {
    let (client, from_filter) = tokio::io::duplex(64 * 1024);
    let Pipes {
        input,
        output,
        exit: _,
        written,
    } = filtered(stream, client);
    // The server writes nothing: the output side ends at once.
    drop(output);
    let forwarded = frames(input, |body| {
        assert!(body.len() <= MAX_BODY);
        assert!(
            acceptable(body),
            "forwarded {:?}",
            String::from_utf8_lossy(body)
        );
    });
    let answers = frames(from_filter, |body| {
        let v: serde_json::Value = serde_json::from_slice(body).expect("a JSON answer");
        assert_eq!(v["error"]["code"], -32800, "{v}");
        assert!(v.get("id").is_some(), "{v}");
    });
    let (forwarded, answers) = tokio::join!(forwarded, answers);
    written.await.expect("the output side ends");
    (forwarded, answers)
}

fuzz_target!(|data: &[u8]| {
    let blocks = blocks(data);
    let (most, largest) = announced(&blocks);
    let stream = Stream::new(blocks);
    let before = peak::start();
    let (forwarded, answers) = RT.block_on(run(stream));
    let held = peak::peak() - before;
    if *PRINT_PEAK {
        eprintln!("held {held} bytes; largest length announced {largest}; {forwarded} messages");
    }
    assert!(
        forwarded <= most,
        "{forwarded} messages, more than the line ends allow ({most})"
    );
    assert!(answers <= forwarded, "{answers} cancellations answered");
    assert!(
        held <= 2 * largest + SLACK,
        "held {held} bytes at once (largest length announced: {largest})"
    );
});
