//! Library-native names (`rules/libraries.toml`): the calls that load a model by a name
//! of the library's own (`YOLO("yolov8n.pt")`, `whisper.load_model("large-v3")`), and
//! the SDK constructors whose model is implicit (`ChatOpenAI()`).
//!
//! Invariants:
//! * Call matching is exact and case-sensitive on the last dotted segments of the call
//!   (`whisper.load_model` matches `whisper.load_model(` and `w.whisper.load_model(`,
//!   never `load_model(` alone), and costs one byte-table test for most calls.
//! * Name matching uses the same `*`-only globs as the families (case-insensitive, `_`
//!   as `-`); the most literal characters win.

use super::patterns::{Glob, normalize};
use super::{Library, LibraryNames};

/// The loaded libraries, indexed by the last segment of their call names.
#[derive(Debug, Default)]
pub struct LibraryIndex {
    /// Every library, in file order.
    pub libraries: Vec<Library>,
    /// (call as written, library index), sorted by call.
    calls: Vec<(String, usize)>,
    /// Whether some call's last segment starts with this byte.
    first: Vec<bool>,
    /// Whether some call's last segment has this length (in bytes).
    lengths: Vec<bool>,
    /// Compiled globs: (library, names entry, glob, pattern, weight).
    globs: Vec<(usize, usize, Glob, String, usize)>,
}

/// A name of a library matched to one of its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameMatch {
    /// The library.
    pub library: usize,
    /// The entry of its `names`.
    pub entry: usize,
    /// The glob that matched, as written.
    pub pattern: String,
}

fn last_segment(call: &str) -> &str {
    match memchr::memrchr(b'.', call.as_bytes()) {
        Some(i) => &call[i + 1..],
        None => call,
    }
}

impl LibraryIndex {
    /// Indexes the libraries.
    pub fn new(libraries: Vec<Library>) -> Self {
        let mut calls = Vec::new();
        let mut first = vec![false; 256];
        let mut lengths = vec![false; 128];
        let mut globs = Vec::new();
        for (li, lib) in libraries.iter().enumerate() {
            for c in &lib.calls {
                let seg = last_segment(c);
                if let Some(&b) = seg.as_bytes().first() {
                    first[usize::from(b)] = true;
                }
                if let Some(l) = lengths.get_mut(seg.len()) {
                    *l = true;
                }
                calls.push((c.clone(), li));
            }
            for (ni, names) in lib.names.iter().enumerate() {
                for g in &names.globs {
                    let norm = normalize(g);
                    let weight = norm.chars().filter(|&c| c != '*').count();
                    globs.push((li, ni, Glob::new(&norm), g.clone(), weight));
                }
            }
        }
        calls.sort();
        Self {
            libraries,
            calls,
            first,
            lengths,
            globs,
        }
    }

    /// The library whose call `word` is (`word` as scanned, dotted, before `(`).
    #[inline]
    pub fn call(&self, word: &str) -> Option<usize> {
        let seg = last_segment(word);
        let b = *seg.as_bytes().first()?;
        if !self.first.get(usize::from(b)).copied().unwrap_or(false)
            || !self.lengths.get(seg.len()).copied().unwrap_or(false)
        {
            return None;
        }
        self.calls.iter().find_map(|(c, li)| {
            let hit = word == c
                || word
                    .strip_suffix(c.as_str())
                    .is_some_and(|head| head.ends_with('.'));
            hit.then_some(*li)
        })
    }

    /// The entry of library `library` that names `name`, if any.
    pub fn name(&self, library: usize, name: &str) -> Option<NameMatch> {
        let q = normalize(name);
        self.globs
            .iter()
            .filter(|(li, _, g, _, _)| *li == library && g.matches(q.as_bytes()))
            .max_by_key(|(_, _, _, _, w)| *w)
            .map(|(li, ni, _, p, _)| NameMatch {
                library: *li,
                entry: *ni,
                pattern: p.clone(),
            })
    }

    /// The names entry of a match.
    pub fn entry(&self, m: &NameMatch) -> Option<&LibraryNames> {
        self.libraries.get(m.library)?.names.get(m.entry)
    }

    /// A library by id.
    pub fn by_id(&self, id: &str) -> Option<usize> {
        self.libraries
            .iter()
            .position(|l| l.id.eq_ignore_ascii_case(id))
    }
}
