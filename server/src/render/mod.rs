//! The one place each output format is made: [`human`] for terminals, [`json`] for
//! tools (a contract: see `docs/json.md`), [`sarif`] for code-scanning services
//! (SARIF 2.1.0), [`cyclonedx`] for a machine-learning bill of materials
//! (CycloneDX 1.6) and [`spdx`] for the same inventory as an SPDX 3.0.1 document with
//! the AI profile.
//!
//! Each format is written as it is made (`render_to`, to any [`std::io::Write`]):
//! what is held at once is bounded (a window of references, one component's static
//! part), never the whole output, so memory does not grow with the size of the output.
//! `render` gives the same bytes as a `String`.

use std::io::{self, Write};

pub mod color;
pub mod concise;
pub mod cyclonedx;
pub mod github;
pub mod grouped;
pub mod human;
pub mod json;
pub mod sarif;
pub mod spdx;
pub mod statistics;

/// Below this much weight (references) a report is rendered on the calling thread.
const PARALLEL_FROM: usize = 256;

/// The weight (references) rendered at once by [`in_order_to`] before it is written.
const WINDOW: usize = 2048;

/// Collects what `render_to` writes into a `String` (the formats write UTF-8 only).
pub(crate) fn to_string(f: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
    let mut out = Vec::new();
    // Writing to a `Vec` cannot fail.
    let _ = f(&mut out);
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A writer that holds back trailing ASCII white space until something else follows:
/// what it lets through is the output with its end trimmed, as `str::trim_end` would
/// (the formats end in `}` or a summary line). [`TrimEnd::finish`] ends it with one
/// line end.
#[derive(Debug)]
pub struct TrimEnd<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> TrimEnd<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            pending: Vec::new(),
        }
    }

    /// Drops the white space held back, writes one `\n` and flushes.
    pub fn finish(mut self) -> io::Result<()> {
        self.inner.write_all(b"\n")?;
        self.inner.flush()
    }
}

impl<W: Write> Write for TrimEnd<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match buf.iter().rposition(|b| !b.is_ascii_whitespace()) {
            None => self.pending.extend_from_slice(buf),
            Some(last) => {
                if !self.pending.is_empty() {
                    self.inner.write_all(&self.pending)?;
                    self.pending.clear();
                }
                self.inner.write_all(&buf[..=last])?;
                self.pending.extend_from_slice(&buf[last + 1..]);
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// [`in_order`] written to `out` a window of about [`WINDOW`] references at a time:
/// the output is the same, and only one window's text is held at once.
pub(crate) fn in_order_to<T, W, F>(
    out: &mut dyn Write,
    items: &[T],
    weight: W,
    part: F,
) -> io::Result<()>
where
    T: Sync,
    W: Fn(&T) -> usize,
    F: Fn(&T) -> String + Sync,
{
    let (mut from, mut sum) = (0, 0);
    for (i, item) in items.iter().enumerate() {
        sum += weight(item);
        if sum >= WINDOW {
            out.write_all(in_order(&items[from..=i], &weight, &part).as_bytes())?;
            (from, sum) = (i + 1, 0);
        }
    }
    out.write_all(in_order(&items[from..], &weight, &part).as_bytes())
}

/// Renders each item with `part` and joins the parts in order. When the items weigh
/// enough (`weight`: a file's references), they are cut into one run of consecutive
/// items per core, balanced by weight, and rendered on scoped threads: the output is
/// the same as rendering them one after another.
pub(crate) fn in_order<T, W, F>(items: &[T], weight: W, part: F) -> String
where
    T: Sync,
    W: Fn(&T) -> usize,
    F: Fn(&T) -> String + Sync,
{
    let serial = |items: &[T]| items.iter().map(&part).collect::<String>();
    let total: usize = items.iter().map(&weight).sum();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if total < PARALLEL_FROM || cores < 2 {
        return serial(items);
    }
    // Cut where the running weight passes each core's share.
    let share = total.div_ceil(cores);
    let mut runs = Vec::with_capacity(cores);
    let (mut from, mut sum) = (0, 0);
    for (i, item) in items.iter().enumerate() {
        sum += weight(item);
        if sum >= share * (runs.len() + 1) && runs.len() + 1 < cores {
            runs.push(&items[from..=i]);
            from = i + 1;
        }
    }
    runs.push(&items[from..]);
    std::thread::scope(|s| {
        let handles: Vec<_> = runs
            .iter()
            .skip(1)
            .map(|run| s.spawn(|| serial(run)))
            .collect();
        let mut out = serial(runs[0]);
        for h in handles {
            match h.join() {
                Ok(part) => out.push_str(&part),
                // As if the part had been rendered on this thread.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

#[cfg(test)]
mod tests {
    /// (items' weights, expected output): the parts joined in order, whatever the
    /// split (a report under the threshold, a heavy first or last item, empty items).
    #[test]
    fn parts_are_joined_in_order() {
        let cases: Vec<Vec<usize>> = vec![
            vec![],
            vec![1, 2, 3],
            vec![300],
            vec![0, 0, 300, 0],
            vec![1000, 1, 1, 1],
            vec![1, 1, 1, 1000],
            (0..500).map(|i| i % 7).collect(),
            vec![256; 17],
        ];
        for weights in cases {
            let items: Vec<(usize, usize)> = weights.iter().copied().enumerate().collect();
            let got = super::in_order(&items, |&(_, w)| w, |&(i, w)| format!("{i}:{w};"));
            let want: String = items.iter().map(|(i, w)| format!("{i}:{w};")).collect();
            assert_eq!(got, want, "{weights:?}");
        }
    }
}
