//! Compiled pattern sets, one per reference shape.
//!
//! Patterns and queries are normalized the same way before matching (lowercase, `_`
//! as `-`; API names keep their case), so `*` is the only special character. The
//! winner among several matches is the pattern with the most literal characters.
//!
//! Because `*` is the only wildcard, a pattern is a list of literal parts and the
//! index is built without any regex compilation (building it is part of every start
//! of `fineprint check`, see docs/performance.md): patterns that begin with a literal
//! are bucketed by their first byte and checked with a prefix compare; patterns that
//! begin with `*` are found through one Aho-Corasick automaton over their first
//! literal part. Every candidate is then verified with [`Glob::matches`].

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use super::{Family, FamilyRef, Patterns};

/// The shape a pattern applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternKind {
    /// Vendor repositories `org/name`.
    HfRepo,
    /// Legacy ids without an org (`bert-base-uncased`).
    HfLegacy,
    /// Names of derivatives and GGUF files.
    Name,
    /// Ollama names.
    Ollama,
    /// Closed API names.
    Api,
}

/// One pattern match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// Family and variant.
    pub at: FamilyRef,
    /// The pattern as written in the rules.
    pub pattern: String,
    /// Number of literal characters.
    pub weight: usize,
}

/// A compiled `*`-only glob: the literal parts between the stars.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob {
    parts: Vec<Box<[u8]>>,
}

impl Glob {
    /// Compiles a normalized pattern.
    pub fn new(pattern: &str) -> Self {
        Self {
            parts: pattern.split('*').map(|p| p.as_bytes().into()).collect(),
        }
    }

    /// The literal text before the first `*` (the whole pattern without one).
    fn prefix(&self) -> &[u8] {
        self.parts.first().map_or(&[], |p| p)
    }

    /// The first non-empty literal part, if any.
    fn first_literal(&self) -> Option<&[u8]> {
        self.parts.iter().find(|p| !p.is_empty()).map(|p| &p[..])
    }

    /// Whether the whole of `q` matches. With stars, the first part must be a prefix,
    /// the last a suffix, and the middle parts must occur in order between them;
    /// taking each middle part at its leftmost occurrence is always correct for `*`.
    pub fn matches(&self, q: &[u8]) -> bool {
        let [first, middle @ .., last] = &self.parts[..] else {
            return self.parts.first().is_some_and(|p| **p == *q);
        };
        if q.len() < first.len() + last.len() || !q.starts_with(first) || !q.ends_with(last) {
            return false;
        }
        let mut rest = &q[first.len()..q.len() - last.len()];
        for part in middle {
            if part.is_empty() {
                continue;
            }
            match memchr::memmem::find(rest, part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
        true
    }
}

#[derive(Debug, Default)]
struct Set {
    globs: Vec<Glob>,
    entries: Vec<Match>,
    /// Patterns whose literal prefix has one byte, by that byte.
    by_first_byte: Vec<Vec<u32>>,
    /// Patterns whose literal prefix has two bytes or more, as (first two bytes,
    /// index), sorted: a query's candidates are one binary-searched run.
    by_two_bytes: Vec<(u16, u32)>,
    /// Patterns that begin with `*`: an automaton over their first literal part, and
    /// for each of its pattern ids the globs that share that literal.
    floating: Option<AhoCorasick>,
    floating_globs: Vec<Vec<u32>>,
    /// The first four bytes of every floating literal (three for literals of three),
    /// hashed into bit sets ([`gram_slot`]): a query none of whose windows of four (or
    /// three) bytes is in them holds no literal, and the automaton is not run. Random
    /// names (hashes, generated ids) pass three-byte windows far more often.
    floating_grams: Option<Grams>,
    /// Patterns made of stars only (they match everything).
    always: Vec<u32>,
}

impl Set {
    /// Indexes of every matching pattern, ascending.
    fn matches(&self, q: &[u8]) -> Vec<usize> {
        let mut hits: Vec<usize> = Vec::new();
        let mut check = |i: u32| {
            let i = i as usize;
            if self.globs.get(i).is_some_and(|g| g.matches(q)) {
                hits.push(i);
            }
        };
        if let Some(bucket) = q
            .first()
            .and_then(|b| self.by_first_byte.get(usize::from(*b)))
        {
            for &i in bucket {
                check(i);
            }
        }
        if let [a, b, ..] = q {
            let key = u16::from_be_bytes([*a, *b]);
            let from = self.by_two_bytes.partition_point(|(k, _)| *k < key);
            for &(_, i) in self.by_two_bytes[from..]
                .iter()
                .take_while(|(k, _)| *k == key)
            {
                if self
                    .globs
                    .get(i as usize)
                    .is_some_and(|g| q.starts_with(g.prefix()))
                {
                    check(i);
                }
            }
        }
        if let Some(ac) = &self.floating
            && self.floating_grams.as_ref().is_none_or(|g| g.may_hold(q))
        {
            // A literal found twice checks its globs twice; `dedup` below merges them.
            let mut last = usize::MAX;
            for m in ac.find_overlapping_iter(q) {
                let id = m.pattern().as_usize();
                if id != last {
                    last = id;
                    for &i in self.floating_globs.get(id).map_or(&[][..], |v| v) {
                        check(i);
                    }
                }
            }
        }
        for &i in &self.always {
            check(i);
        }
        hits.sort_unstable();
        hits.dedup();
        hits
    }
}

/// Bits in each set of [`Grams`].
const GRAM_BITS: usize = 1 << 16;

fn gram_slot(g: &[u8]) -> usize {
    let k = g.iter().take(4).fold(0u32, |k, &b| (k << 8) | u32::from(b));
    (k.wrapping_mul(0x9E37_79B1) >> 16) as usize
}

/// Hashed prefixes of literals: four bytes long, or three for literals of three.
#[derive(Debug)]
struct Grams {
    three: Vec<u64>,
    four: Vec<u64>,
    any_three: bool,
}

impl Grams {
    /// `None` when a literal is shorter than three bytes (no filter then).
    fn new(literals: &[&[u8]]) -> Option<Self> {
        let mut g = Self {
            three: vec![0; GRAM_BITS / 64],
            four: vec![0; GRAM_BITS / 64],
            any_three: false,
        };
        for l in literals {
            let (set, n) = match l.len() {
                0..=2 => return None,
                3 => {
                    g.any_three = true;
                    (&mut g.three, 3)
                }
                _ => (&mut g.four, 4),
            };
            let s = gram_slot(&l[..n]);
            if let Some(w) = set.get_mut(s / 64) {
                *w |= 1 << (s % 64);
            }
        }
        Some(g)
    }

    fn has(set: &[u64], g: &[u8]) -> bool {
        let s = gram_slot(g);
        set.get(s / 64).is_some_and(|w| w & (1 << (s % 64)) != 0)
    }

    /// False when no literal can occur in `q`.
    fn may_hold(&self, q: &[u8]) -> bool {
        (self.any_three && q.windows(3).any(|g| Self::has(&self.three, g)))
            || q.windows(4).any(|g| Self::has(&self.four, g))
    }
}

/// All compiled pattern sets.
#[derive(Debug, Default)]
pub struct PatternIndex {
    repo: Set,
    legacy: Set,
    name: Set,
    ollama: Set,
    api: Set,
    pub(super) bare: BarePrefixes,
}

/// The literal prefixes (up to the first `*`) of every bare-name pattern, normalized,
/// sorted by their first three bytes: a word can match a bare pattern only if it
/// starts with one of them. Checking costs a binary search and a few byte compares,
/// after a bit set of the three-byte keys (hashed) has ruled out almost every word of
/// ordinary code (the scanner asks this of every word).
#[derive(Debug, Default)]
pub struct BarePrefixes {
    /// (key, literal), sorted by the key's slot ([`key_slot`]) once finished.
    entries: Vec<(u32, Vec<u8>)>,
    /// One bit per hashed key ([`key_slot`]); empty until [`BarePrefixes::finish`].
    keys: Vec<u64>,
    /// `entries[starts[s]..starts[s + 1]]` are the entries of slot `s` (one more
    /// than the slots): a lookup is two loads, not a binary search.
    starts: Vec<u32>,
    /// One bit per pair of raw first bytes that normalize to the first two bytes of
    /// some key (both cases, `_` and `-`): the first test, one lookup per word.
    pairs: Vec<u64>,
}

/// Bits in [`BarePrefixes::keys`].
const KEY_BITS: usize = 1 << 16;

fn pair_slot(a: u8, b: u8) -> usize {
    (usize::from(a) << 8) | usize::from(b)
}

fn key_slot(k: u32) -> usize {
    // Fibonacci hashing to 16 bits.
    (k.wrapping_mul(0x9E37_79B1) >> 16) as usize
}

fn norm_byte(b: u8) -> u8 {
    if b == b'_' {
        b'-'
    } else {
        b.to_ascii_lowercase()
    }
}

fn key(b: &[u8]) -> Option<u32> {
    match b {
        [a, c, d, ..] => Some(
            (u32::from(norm_byte(*a)) << 16)
                | (u32::from(norm_byte(*c)) << 8)
                | u32::from(norm_byte(*d)),
        ),
        _ => None,
    }
}

impl BarePrefixes {
    fn add(&mut self, literal: &str) {
        let lit: Vec<u8> = literal.bytes().map(norm_byte).collect();
        if let Some(k) = key(&lit) {
            self.entries.push((k, lit));
        }
    }

    fn finish(&mut self) {
        self.entries.sort();
        self.entries.dedup();
        self.entries.sort_by_key(|(k, _)| key_slot(*k));
        self.keys = vec![0; KEY_BITS / 64];
        self.starts = vec![0; KEY_BITS + 1];
        for (k, _) in &self.entries {
            let s = key_slot(*k);
            if let Some(w) = self.keys.get_mut(s / 64) {
                *w |= 1 << (s % 64);
            }
            if let Some(n) = self.starts.get_mut(s + 1) {
                *n += 1;
            }
        }
        for s in 1..self.starts.len() {
            self.starts[s] += self.starts[s - 1];
        }
        // Raw bytes by what they normalize to.
        let mut raw: Vec<Vec<u8>> = vec![Vec::new(); 256];
        for b in 0..=255u8 {
            raw[usize::from(norm_byte(b))].push(b);
        }
        self.pairs = vec![0; (1 << 16) / 64];
        for (k, _) in &self.entries {
            let (n0, n1) = ((k >> 16) as u8, (k >> 8) as u8);
            for &a in &raw[usize::from(n0)] {
                for &b in &raw[usize::from(n1)] {
                    let s = pair_slot(a, b);
                    if let Some(w) = self.pairs.get_mut(s / 64) {
                        *w |= 1 << (s % 64);
                    }
                }
            }
        }
    }

    /// Whether `word` starts with the literal prefix of some bare pattern. The first
    /// two tests (one bit per pair of first bytes, one per hashed key of three) are
    /// inlined into the word scanner, which asks this of nearly every word; the
    /// comparison with the literals of the key's slot is not.
    #[inline]
    pub fn may_match(&self, word: &[u8]) -> bool {
        let [a, b, _, ..] = word else { return false };
        let p = pair_slot(*a, *b);
        if self
            .pairs
            .get(p / 64)
            .is_none_or(|w| w & (1 << (p % 64)) == 0)
        {
            return false;
        }
        let Some(k) = key(word) else { return false };
        let s = key_slot(k);
        if self
            .keys
            .get(s / 64)
            .is_none_or(|w| w & (1 << (s % 64)) == 0)
        {
            return false;
        }
        self.literal_of_slot(s, k, word)
    }

    /// Whether one of the literals of key `k` (in slot `s`) starts `word`.
    #[inline(never)]
    fn literal_of_slot(&self, s: usize, k: u32, word: &[u8]) -> bool {
        let slot = |s: usize| self.starts.get(s).map_or(0, |&n| n as usize);
        let of_slot = self.entries.get(slot(s)..slot(s + 1)).unwrap_or_default();
        of_slot.iter().filter(|(x, _)| *x == k).any(|(_, lit)| {
            word.len() >= lit.len() && word.iter().zip(lit).all(|(w, l)| norm_byte(*w) == *l)
        })
    }
}

/// Normalizes a pattern or query of a case-insensitive kind.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    out.extend(s.chars().map(|c| {
        if c == '_' {
            '-'
        } else {
            c.to_ascii_lowercase()
        }
    }));
    out
}

fn allowed_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/' | ':' | '*' | '+')
}

#[derive(Default)]
struct Builder {
    globs: Vec<Glob>,
    entries: Vec<Match>,
}

impl Builder {
    fn new() -> Self {
        Self::default()
    }

    fn add(&mut self, pattern: &str, normalized: &str, at: FamilyRef) -> Result<(), String> {
        self.globs.push(Glob::new(normalized));
        let weight = normalized.chars().filter(|&c| c != '*').count();
        self.entries.push(Match {
            at,
            pattern: pattern.to_string(),
            weight,
        });
        Ok(())
    }

    fn build(self) -> Result<Set, String> {
        let mut by_first_byte = vec![Vec::new(); 256];
        let mut by_two_bytes: Vec<(u16, u32)> = Vec::new();
        let mut literals: Vec<&[u8]> = Vec::new();
        let mut floating_globs: Vec<Vec<u32>> = Vec::new();
        let mut always = Vec::new();
        for (i, g) in self.globs.iter().enumerate() {
            let i = u32::try_from(i).map_err(|_| "too many patterns".to_string())?;
            if let Some(&b) = g.prefix().first() {
                match g.prefix() {
                    [x, y, ..] => by_two_bytes.push((u16::from_be_bytes([*x, *y]), i)),
                    _ => by_first_byte[usize::from(b)].push(i),
                }
            } else if let Some(lit) = g.first_literal() {
                match literals.iter().position(|l| *l == lit) {
                    Some(id) => floating_globs[id].push(i),
                    None => {
                        literals.push(lit);
                        floating_globs.push(vec![i]);
                    }
                }
            } else {
                always.push(i);
            }
        }
        let floating_grams = Grams::new(&literals);
        let floating = if literals.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .match_kind(MatchKind::Standard)
                    .build(&literals)
                    .map_err(|e| e.to_string())?,
            )
        };
        Ok(Set {
            globs: self.globs,
            entries: self.entries,
            by_first_byte,
            by_two_bytes: {
                by_two_bytes.sort_unstable();
                by_two_bytes
            },
            floating,
            floating_globs,
            floating_grams,
            always,
        })
    }
}

impl PatternIndex {
    /// Compiles the patterns of every family; errors are (family index, message).
    pub fn build<'a>(
        families: &[Family],
        extra_bare: impl Iterator<Item = &'a str>,
    ) -> Result<Self, Vec<(usize, String)>> {
        let mut repo = Builder::new();
        let mut legacy = Builder::new();
        let mut name = Builder::new();
        let mut ollama = Builder::new();
        let mut api = Builder::new();
        let mut bare_prefixes = BarePrefixes::default();
        let mut errors = Vec::new();
        for (fi, fam) in families.iter().enumerate() {
            let groups = std::iter::once((
                FamilyRef {
                    family: fi,
                    variant: None,
                },
                &fam.patterns,
            ))
            .chain(fam.variant.iter().enumerate().map(|(vi, v)| {
                (
                    FamilyRef {
                        family: fi,
                        variant: Some(vi),
                    },
                    &v.patterns,
                )
            }));
            for (at, pats) in groups {
                let Patterns {
                    hf,
                    names,
                    ollama: oll,
                    api: apis,
                } = pats;
                let mut add = |b: &mut Builder, p: &str, case_sensitive: bool, bare: bool| {
                    if p.is_empty() || !p.chars().all(allowed_char) {
                        errors.push((fi, format!("family `{}`: pattern `{p}` may only use letters, digits, `.-_/:+` and `*`", fam.id)));
                        return;
                    }
                    let lit: String = p.chars().take_while(|&c| c != '*').collect();
                    if bare {
                        if lit.len() < 3 {
                            errors.push((fi, format!("family `{}`: pattern `{p}` must start with at least 3 literal characters", fam.id)));
                            return;
                        }
                        bare_prefixes.add(&lit);
                    }
                    let norm = if case_sensitive {
                        p.replace('_', "-")
                    } else {
                        normalize(p)
                    };
                    if let Err(e) = b.add(p, &norm, at) {
                        errors.push((fi, format!("family `{}`: {e}", fam.id)));
                    }
                };
                for p in hf {
                    if p.contains('/') {
                        add(&mut repo, p, false, false);
                    } else {
                        add(&mut legacy, p, false, true);
                    }
                }
                for p in names {
                    add(&mut name, p, false, false);
                }
                for p in oll {
                    add(&mut ollama, p, false, true);
                }
                for p in apis {
                    add(&mut api, p, true, true);
                }
            }
        }
        // Exact names of the generated indexes and providers: their first part (up to
        // the first `-`, `.` or `:`, at least 3 characters) is enough for the filter,
        // and keeps one entry for hundreds of `gpt-...` names.
        let mut firsts: Vec<&str> = extra_bare
            .map(|n| {
                let cut = n
                    .char_indices()
                    .skip(3)
                    .find(|&(_, c)| matches!(c, '-' | '.' | ':' | '/'))
                    .map_or(n.len(), |(i, _)| i + 1);
                n.get(..cut).unwrap_or(n)
            })
            .collect();
        firsts.sort_unstable();
        firsts.dedup();
        for name in firsts {
            bare_prefixes.add(name);
        }
        bare_prefixes.finish();
        let mut out = Self {
            bare: bare_prefixes,
            ..Self::default()
        };
        for (slot, b) in [
            (&mut out.repo, repo),
            (&mut out.legacy, legacy),
            (&mut out.name, name),
            (&mut out.ollama, ollama),
            (&mut out.api, api),
        ] {
            match b.build() {
                Ok(s) => *slot = s,
                Err(e) => errors.push((0, e)),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(errors)
        }
    }

    fn set(&self, kind: PatternKind) -> &Set {
        match kind {
            PatternKind::HfRepo => &self.repo,
            PatternKind::HfLegacy => &self.legacy,
            PatternKind::Name => &self.name,
            PatternKind::Ollama => &self.ollama,
            PatternKind::Api => &self.api,
        }
    }

    /// Every match, in pattern order.
    pub fn all(&self, kind: PatternKind, query: &str) -> Vec<Match> {
        let set = self.set(kind);
        with_query(kind, query, |q| set.matches(q))
            .into_iter()
            .filter_map(|i| set.entries.get(i).cloned())
            .collect()
    }

    /// The match with the most literal characters (the first such on a tie).
    pub fn best(&self, kind: PatternKind, query: &str) -> Option<Match> {
        let set = self.set(kind);
        let mut best: Option<&Match> = None;
        for m in with_query(kind, query, |q| set.matches(q))
            .into_iter()
            .filter_map(|i| set.entries.get(i))
        {
            if best.is_none_or(|b| m.weight > b.weight) {
                best = Some(m);
            }
        }
        best.cloned()
    }
}

/// Runs `f` on the query normalized for `kind` (`_` as `-`, and lowercase ASCII
/// except for API names), in a buffer on the stack when it is short: this runs for
/// every candidate word. Byte by byte is the same as [`normalize`] character by
/// character, since only ASCII bytes change.
fn with_query<R>(kind: PatternKind, query: &str, f: impl FnOnce(&[u8]) -> R) -> R {
    let norm = |b: u8| {
        if b == b'_' {
            b'-'
        } else if kind == PatternKind::Api {
            b
        } else {
            b.to_ascii_lowercase()
        }
    };
    let mut buf = [0u8; 128];
    match buf.get_mut(..query.len()) {
        Some(q) => {
            for (d, s) in q.iter_mut().zip(query.bytes()) {
                *d = norm(s);
            }
            f(q)
        }
        None => f(&query.bytes().map(norm).collect::<Vec<u8>>()),
    }
}

#[cfg(test)]
mod tests {
    use super::Glob;
    use proptest::prelude::*;

    #[test]
    fn glob_table() {
        // (pattern, query, matches)
        let cases = [
            ("meta-llama/llama-3.1-*", "meta-llama/llama-3.1-8b", true),
            ("meta-llama/llama-3.1-*", "meta-llama/llama-3.1-", true),
            ("meta-llama/llama-3.1-*", "meta-llama/llama-3.2-1b", false),
            ("*llama-3.1-*", "bartowski/meta-llama-3.1-8b-gguf", true),
            ("*llama-3.1", "llama-3.1", true),
            ("*llama-3.1", "llama-3.1-8b", false),
            ("*a*a*", "aa", true),
            ("*a*a*", "a", false),
            ("ab*ba", "aba", false),
            ("ab*ba", "abba", true),
            ("gpt-4o", "gpt-4o", true),
            ("gpt-4o", "gpt-4o-mini", false),
            ("*", "", true),
            ("**x**", "yxy", true),
            ("qwen/qwen2.5-*b*", "qwen/qwen2.5-72b-instruct", true),
        ];
        for (pattern, query, want) in cases {
            assert_eq!(
                Glob::new(pattern).matches(query.as_bytes()),
                want,
                "{pattern} vs {query}"
            );
        }
    }

    proptest! {
        /// The hand-written matcher agrees with globset on `*`-only patterns (`**` is
        /// left out: globset gives it a recursive, path-aware meaning).
        #[test]
        fn glob_agrees_with_globset(pattern in "[ab*/.-]{0,8}", query in "[ab/.-]{0,10}") {
            prop_assume!(!pattern.contains("**"));
            let reference = globset::GlobBuilder::new(&pattern)
                .literal_separator(false)
                .backslash_escape(false)
                .build()
                .map(|g| g.compile_matcher().is_match(&query));
            if let Ok(want) = reference {
                prop_assert_eq!(Glob::new(&pattern).matches(query.as_bytes()), want);
            }
        }
    }
}
