//! Resolution: which family, variant and license a candidate names, and how we know.
//!
//! Order: the vendor's own repositories (`hf` patterns) or the exact Ollama / API
//! name; then the NAME of any other repository or GGUF file (`names` patterns), which
//! makes the license inherited. The most specific pattern wins at each step.

use std::ops::Range;
use std::sync::{Arc, Weak};

use serde::Serialize;

use crate::candidate::placeholders::{
    api_name_whole, descriptive_name, is_generic_gguf, is_generic_weights, is_not_org,
    is_placeholder_repo,
};
use crate::candidate::{Args, Candidate, Context, Shape, Value, Want, Weights, in_list};
use crate::detect::context::{MAX_RUN, SCAN_BACK};
use crate::kb::generated::{GenEntry, GenKind};
use crate::kb::{Family, FamilyRef, KnowledgeBase, License, Match, PatternKind, rung};

/// The shape of a reference, as reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RefKind {
    /// Hugging Face repository.
    Hf,
    /// Ollama library name.
    Ollama,
    /// GGUF file.
    Gguf,
    /// Single-file checkpoint (`.safetensors`, `.ckpt`).
    File,
    /// Closed API model.
    Api,
    /// A library call that names a model in the library's own words
    /// (`YOLO("yolov8n.pt")`), or an SDK call whose model is implicit (`ChatOpenAI()`).
    Library,
}

/// How the license was found (the `source` field of the JSON output).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Provenance {
    /// A rule names this model.
    Rules,
    /// The name carries a known base family (re-upload, conversion, fine-tune).
    Inherited,
    /// An index imported from a public package lists this exact id (`rules/generated/`).
    Generated,
    /// A model card in the local Hugging Face cache.
    HfCache,
    /// A GGUF header.
    Gguf,
    /// The local Ollama store.
    Ollama,
    /// The project's policy.
    Policy,
    /// The Hugging Face Hub's model API (online resolution).
    Hub,
}

impl Provenance {
    /// Lowercase word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rules => "rules",
            Self::Inherited => "inherited",
            Self::Generated => "generated",
            Self::HfCache => "hf-cache",
            Self::Gguf => "gguf",
            Self::Ollama => "ollama",
            Self::Policy => "policy",
            Self::Hub => "hub",
        }
    }
}

/// A resolved reference. References hold it shared ([`Resolution::shared`]): every
/// reference to a model on a thread holds the same one, not a copy of its sentences.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Resolution {
    /// Family and variant; `None` when only evidence on disk names the license.
    pub at: Option<FamilyRef>,
    /// The license that applies (index into the knowledge base's licenses).
    pub license: usize,
    /// How it was found.
    pub provenance: Provenance,
    /// The pattern that matched.
    pub pattern: String,
    /// One sentence on how it was inferred.
    pub how: String,
    /// For [`Provenance::Generated`] (or a stricter answer chosen over one), the entry
    /// of the generated index (an index into `kb.generated.entries`).
    pub origin: Option<u32>,
}

/// A model reference in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Byte span.
    pub span: Range<usize>,
    /// Exact source text of the span.
    pub text: String,
    /// Shape.
    pub kind: RefKind,
    /// Canonical id: `org/name`, `name:tag`, `file.gguf` or the API name.
    pub id: String,
    /// What it resolves to; `None` when the license is unknown. Shared: see
    /// [`Resolution::shared`].
    pub resolution: Option<Arc<Resolution>>,
    /// What the disk says about it, when something was found (see `evidence`).
    pub evidence: Option<Box<crate::evidence::Evidence>>,
}

/// The resolutions made on this thread, each kept once: a reference's resolution is
/// the one already made for an equal answer, so a million references to one model hold
/// one resolution (its pattern and its sentence), not a million copies. Entries whose
/// resolution is no longer held are dropped when the table has doubled since the last
/// sweep, so the table stays in proportion to the resolutions alive.
#[derive(Default)]
struct Shared {
    table: std::collections::HashMap<Resolution, Weak<Resolution>>,
    /// Entries after the last sweep.
    swept: usize,
}

thread_local! {
    static SHARED: std::cell::RefCell<Shared> = std::cell::RefCell::default();
}

impl Resolution {
    /// The shared resolution equal to `self`: one already held on this thread, or
    /// `self` made shared.
    pub fn shared(self) -> Arc<Self> {
        SHARED.with(|cell| {
            let Ok(mut s) = cell.try_borrow_mut() else {
                return Arc::new(self);
            };
            if let Some(held) = s.table.get(&self).and_then(Weak::upgrade) {
                return held;
            }
            if s.table.len() >= 2 * s.swept.max(1024) {
                s.table.retain(|_, w| w.strong_count() > 0);
                s.swept = s.table.len();
            }
            let arc = Arc::new(self);
            s.table
                .insert(Resolution::clone(&arc), Arc::downgrade(&arc));
            arc
        })
    }

    /// [`Resolution::shared`] of an optional resolution.
    pub fn share(r: Option<Self>) -> Option<Arc<Self>> {
        r.map(Self::shared)
    }

    /// A resolution by the rules or by name, to the license of `at`.
    pub fn of(
        kb: &KnowledgeBase,
        at: FamilyRef,
        provenance: Provenance,
        pattern: String,
        how: String,
    ) -> Self {
        Self {
            at: Some(at),
            license: kb.license_index_of(at),
            provenance,
            pattern,
            how,
            origin: None,
        }
    }

    /// The generated-index entry this answer rests on, if any.
    pub fn generated_entry<'a>(&self, kb: &'a KnowledgeBase) -> Option<&'a GenEntry> {
        kb.generated.entries.get(self.origin? as usize)
    }

    /// The license that applies.
    pub fn license<'a>(&self, kb: &'a KnowledgeBase) -> &'a License {
        kb.license_at(self.license)
    }

    /// The family, when the license comes from one.
    pub fn family<'a>(&self, kb: &'a KnowledgeBase) -> Option<&'a Family> {
        self.at.and_then(|a| kb.families.get(a.family))
    }
}

fn strip_conversion<'a>(kb: &KnowledgeBase, name: &'a str) -> (&'a str, Option<&'a str>) {
    let lower = name.to_ascii_lowercase().replace('_', "-");
    let mut best: Option<usize> = None;
    for s in &kb.vocab.conversion_suffixes {
        if lower.ends_with(s.as_str()) && best.is_none_or(|b| s.len() > b) {
            best = Some(s.len());
        }
    }
    match best {
        Some(n) if n < name.len() => (&name[..name.len() - n], Some(&name[name.len() - n + 1..])),
        _ => (name, None),
    }
}

fn rules(kb: &KnowledgeBase, m: Match, how: String) -> Resolution {
    Resolution::of(kb, m.at, Provenance::Rules, m.pattern, how)
}

/// The answer of the generated indexes for an exact id: the entry whose license is the
/// strictest when several sources list the id.
pub fn resolve_generated(
    kb: &KnowledgeBase,
    kind: GenKind,
    library: &str,
    id: &str,
) -> Option<Resolution> {
    let (origin, e) = kb
        .generated
        .lookup(kind, library, id)
        .max_by_key(|(_, e)| kb.license(&e.license).map_or(0, rung))?;
    let license = kb.license_index(&e.license)?;
    let src = kb.generated.source_of(e);
    Some(Resolution {
        at: None,
        license,
        provenance: Provenance::Generated,
        pattern: e.id.clone(),
        how: format!(
            "the {} index ({}, {}) lists `{}` under `{}`, imported {}",
            src.name, src.package, src.section, e.id, e.license, src.imported
        ),
        origin: Some(origin),
    })
}

/// Of a curated answer by name (inherited) and a generated answer for the exact id,
/// the stricter; on a tie, the curated one. A name is a guess at lineage and an
/// imported label may be a card's mistake: neither may make a model look freer.
fn stricter(kb: &KnowledgeBase, curated: Resolution, generated: Option<Resolution>) -> Resolution {
    match generated {
        Some(g) if rung(g.license(kb)) > rung(curated.license(kb)) => Resolution {
            how: format!(
                "{}; the name also carries `{}` ({}), a freer license, so fineprint applies the stricter",
                g.how,
                curated.pattern,
                curated.license(kb).id
            ),
            ..g
        },
        _ => curated,
    }
}

/// Resolves `org/name` against the knowledge base.
pub fn resolve_repo(kb: &KnowledgeBase, org: &str, name: &str) -> Option<Resolution> {
    resolve_repo_id(kb, &repo_id(org, name), org, name)
}

/// `org/name`, built without the formatting machinery (this runs for every
/// `org/name`-shaped word in a model context).
fn repo_id(org: &str, name: &str) -> String {
    let mut id = String::with_capacity(org.len() + 1 + name.len());
    id.push_str(org);
    id.push('/');
    id.push_str(name);
    id
}

/// [`resolve_repo`] with the id `org/name` already built.
fn resolve_repo_id(kb: &KnowledgeBase, id: &str, org: &str, name: &str) -> Option<Resolution> {
    if let Some(m) = kb.best_match(PatternKind::HfRepo, id) {
        let how = format!("the rule `{}` names this repository", m.pattern);
        return Some(rules(kb, m, how));
    }
    let generated = resolve_generated(kb, GenKind::Hf, "", id);
    let Some(m) = kb.best_match(PatternKind::Name, name) else {
        return generated;
    };
    let fam = &kb.families[m.at.family];
    let (_, suffix) = strip_conversion(kb, name);
    let reuploader = kb
        .vocab
        .reuploaders
        .iter()
        .any(|r| r.eq_ignore_ascii_case(org));
    let how = match (reuploader, suffix) {
        (true, Some(s)) => format!(
            "`{org}` re-uploads other vendors' models and the name ends in `{s}` (a conversion): inherits the license of {}",
            fam.name
        ),
        (true, None) => format!(
            "`{org}` re-uploads other vendors' models: inherits the license of {}",
            fam.name
        ),
        (false, Some(s)) => format!(
            "a `{s}` conversion whose name carries `{}`: inherits the license of {}",
            m.pattern, fam.name
        ),
        (false, None) => format!(
            "a derivative whose name carries `{}`: fine-tunes inherit the license of {}",
            m.pattern, fam.name
        ),
    };
    let inherited = Resolution::of(kb, m.at, Provenance::Inherited, m.pattern, how);
    Some(stricter(kb, inherited, generated))
}

/// Resolves a model file name (GGUF or checkpoint) by the model name it carries.
pub fn resolve_file(kb: &KnowledgeBase, file: &str) -> Option<Resolution> {
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    let by_stem = |stem: &str| {
        inherit_by_name(
            kb,
            stem,
            "the file name carries",
            "conversions and quantizations inherit",
        )
    };
    by_stem(stem).or_else(|| {
        // `openhermes-2.5-mistral-7b.Q4_K_M.gguf`: the quantization after a dot.
        let (name, quant) = stem.rsplit_once('.')?;
        quantization(quant).then(|| by_stem(name)).flatten()
    })
}

/// `Q4_K_M`, `q8_0`, `IQ3_XS`, `f16`, `bf16`, `fp16`: a quantization or number format
/// written after a model's name.
fn quantization(s: &str) -> bool {
    let b = s.as_bytes();
    let rest = match b {
        [b'i' | b'I', b'q' | b'Q', rest @ ..] | [b'q' | b'Q', rest @ ..] => rest,
        [b'b' | b'B', b'f' | b'F', rest @ ..] | [b'f' | b'F', b'p' | b'P', rest @ ..] => rest,
        [b'f' | b'F', rest @ ..] => rest,
        _ => return false,
    };
    rest.first().is_some_and(u8::is_ascii_digit)
        && rest.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

/// The family a name carries (`names` patterns), as an inherited license; `what` and
/// `rule` word the explanation.
fn inherit_by_name(kb: &KnowledgeBase, name: &str, what: &str, rule: &str) -> Option<Resolution> {
    let m = kb.best_match(PatternKind::Name, name)?;
    let how = format!(
        "{what} `{}`: {rule} the license of {}",
        m.pattern, kb.families[m.at.family].name
    );
    Some(Resolution::of(
        kb,
        m.at,
        Provenance::Inherited,
        m.pattern,
        how,
    ))
}

/// Resolves an Ollama name (`name` or `name:tag`).
pub fn resolve_ollama(kb: &KnowledgeBase, name: &str, tag: Option<&str>) -> Option<Resolution> {
    let q = match tag {
        Some(t) => format!("{name}:{t}"),
        None => name.to_string(),
    };
    let Some(m) = kb.best_match(PatternKind::Ollama, &q) else {
        return resolve_generated(kb, GenKind::Ollama, "", &q);
    };
    let how = format!("the Ollama library name matches the rule `{}`", m.pattern);
    Some(rules(kb, m, how))
}

/// Resolves a closed API model name (case-sensitive).
pub fn resolve_api(kb: &KnowledgeBase, name: &str) -> Option<Resolution> {
    let curated = kb
        .best_match(PatternKind::Api, name)
        .filter(|m| api_name_whole(&kb.vocab, name, &m.pattern, false));
    let Some(m) = curated else {
        return resolve_generated(kb, GenKind::Api, "", name);
    };
    let how = format!("the API model name matches the rule `{}`", m.pattern);
    Some(rules(kb, m, how))
}

/// Resolves a legacy id without an org (`bert-base-uncased`).
pub fn resolve_legacy(kb: &KnowledgeBase, name: &str) -> Option<Resolution> {
    let m = kb.best_match(PatternKind::HfLegacy, name)?;
    let how = format!(
        "the legacy Hugging Face id matches the rule `{}`",
        m.pattern
    );
    Some(rules(kb, m, how))
}

/// The reference a library call makes (`rules/libraries.toml`), given its arguments:
/// the name it loads mapped to a model, or, when it names none, the SDK's default.
/// `call` is the span of the call's name, `li` the library.
pub fn resolve_library_call(
    kb: &KnowledgeBase,
    text: &str,
    call: Range<usize>,
    li: usize,
    args: &Args,
) -> Option<Reference> {
    let lib = kb.libraries.libraries.get(li)?;
    let call_text = text.get(call.clone())?;
    // A keyword that overrides the library's own name may lie past what was read:
    // a call not closed within the window says nothing rather than guess.
    let overridable = !lib.unless.is_empty() || lib.unless_argument.is_some();
    if overridable && !args.closed
        || lib.unless.iter().any(|k| args.keyword(text, k).is_some())
        || lib
            .unless_argument
            .is_some_and(|n| args.positional(n).is_some())
    {
        return None;
    }
    let required = lib.requires.iter().any(|req| {
        let (k, v) = req.split_once('=').unwrap_or((req, ""));
        matches!(args.keyword(text, k.trim()), Some(Value::Other(r)) if text.get(r.clone()).is_some_and(|x| x.trim() == v.trim()))
    });
    if !lib.requires.is_empty() && !required {
        return None;
    }
    let named = lib
        .keywords
        .iter()
        .find_map(|k| args.keyword(text, k))
        .or_else(|| lib.argument.and_then(|n| args.positional(n)));
    match named {
        Some(Value::Str(span)) => {
            let name = text.get(span.clone())?;
            let (id, resolution) = resolve_library_name(kb, li, name)?;
            let resolution = resolution.map(|r| Resolution {
                how: format!("`{call_text}(\"{name}\")` of {}: {}", lib.name, r.how),
                ..r
            });
            Some(Reference {
                span: span.clone(),
                text: name.to_string(),
                kind: RefKind::Library,
                id,
                resolution: Resolution::share(resolution),
                evidence: None,
            })
        }
        Some(Value::Other(_)) => None,
        None => {
            let default = lib.default.as_deref().filter(|d| !d.is_empty())?;
            if !args.closed || args.positional(0).is_some() {
                return None;
            }
            let from = lib.default_source.as_ref().map_or(String::new(), |s| {
                format!(" (read in {}, {})", lib.package, s.url)
            });
            let resolution = resolve_str(kb, default)
                .and_then(|r| r.resolution)
                .map(Arc::unwrap_or_clone)
                .map(|r| Resolution {
                    how: format!(
                        "`{call_text}()` is given no model, so {} uses its default `{default}`{from}; the default's license: {}",
                        lib.name, r.how
                    ),
                    ..r
                });
            Some(Reference {
                span: call,
                text: call_text.to_string(),
                kind: RefKind::Library,
                id: default.to_string(),
                resolution: Resolution::share(resolution),
                evidence: None,
            })
        }
    }
}

/// A library-native name: the canonical id it stands for and its resolution. `None`
/// when the library does not know the name (a local file, a custom model).
pub fn resolve_library_name(
    kb: &KnowledgeBase,
    li: usize,
    name: &str,
) -> Option<(String, Option<Resolution>)> {
    let lib = kb.libraries.libraries.get(li)?;
    if lib.names.is_empty() {
        // Names come from the generated index of the same library.
        let r = resolve_generated(kb, GenKind::Lib, &lib.id, name)?;
        return Some((format!("{}:{name}", lib.id), Some(r)));
    }
    let m = kb.libraries.name(li, name)?;
    let entry = kb.libraries.entry(&m)?;
    if let Some(model) = &entry.model {
        let id = model.replace("{name}", name);
        let r = resolve_str(kb, &id)
            .and_then(|r| r.resolution)
            .map(Arc::unwrap_or_clone);
        let r = r.map(|r| Resolution {
            how: format!("the library loads `{id}` for `{}`; {}", m.pattern, r.how),
            ..r
        });
        return Some((id, r));
    }
    let fam = entry.family.as_deref().and_then(|f| kb.family_index(f))?;
    let at = FamilyRef {
        family: fam,
        variant: None,
    };
    let how = format!(
        "the library's name `{}` belongs to {}",
        m.pattern, kb.families[fam].name
    );
    Some((
        format!("{}:{name}", lib.id),
        Some(Resolution::of(kb, at, Provenance::Rules, m.pattern, how)),
    ))
}

/// A provider's name for hosted open weights (`rules/providers.toml`): the weights'
/// license, saying that it is hosted. `provider` narrows the search to one provider.
pub fn resolve_hosted(
    kb: &KnowledgeBase,
    provider: Option<usize>,
    name: &str,
) -> Option<Resolution> {
    let (pi, h) = kb.hosted(name, provider)?;
    let p = kb.providers.get(pi)?;
    let r = Arc::unwrap_or_clone(resolve_str(kb, &h.model).and_then(|r| r.resolution)?);
    Some(Resolution {
        how: format!(
            "{} hosts `{}`, serving the open weights `{}`, whose license applies: {}",
            p.name, h.name, h.model, r.how
        ),
        ..r
    })
}

/// A model named after a provider (`groq:NAME`, `openai:NAME`, `groq/NAME`, a path such as
/// `@cf/NAME`): hosted open weights, then a closed API name, then an id of the generated
/// API index written with the prefix.
fn resolve_behind_provider(
    kb: &KnowledgeBase,
    provider: Option<usize>,
    prefixed: &str,
    name: &str,
) -> Option<Resolution> {
    resolve_hosted(kb, provider, name)
        .or_else(|| resolve_api(kb, name))
        .or_else(|| resolve_generated(kb, GenKind::Api, "", prefixed))
}

/// Whether the word ending at `end` is a mapping's key (`"Qwen2-VL-7B": {...}`): a
/// display name or an alias whose value says what it is.
fn is_mapping_key(text: &str, end: usize) -> bool {
    let b = text.as_bytes();
    let mut i = end;
    let ceil = end.saturating_add(MAX_RUN).min(b.len());
    while i < ceil && matches!(b[i], b'"' | b'\'' | b' ' | b'\t') {
        i += 1;
    }
    b.get(i) == Some(&b':') && !matches!(b.get(i + 1), Some(b':'))
}

/// Calls whose string argument is a substring or a prefix to look for.
const SUBSTRING_CALLS: [&[u8]; 6] = [
    b"contains",
    b"prefix",
    b"suffix",
    b"startswith",
    b"endswith",
    b"includes",
];

/// Whether the quoted span is looked for inside another string: `"llama-2" in path`
/// (Python), or an argument of `strings.HasPrefix`, `.startswith(`, `.includes(` and
/// the like on the same line, within [`SCAN_BACK`] bytes before the span (as the
/// classifier's calls are).
fn substring_test(text: &str, span: &Range<usize>) -> bool {
    let b = text.as_bytes();
    let after = b.get(span.end + 1..).unwrap_or(&[]);
    let after = &after[after
        .iter()
        .take(MAX_RUN)
        .take_while(|c| **c == b' ')
        .count()..];
    if after.starts_with(b"in ") || after.starts_with(b"not in ") {
        return true;
    }
    // The call whose `(` opens before the span on its line, with no `)` between.
    let from = span.start.saturating_sub(SCAN_BACK);
    let line_start = memchr::memrchr(b'\n', &b[from..span.start]).map_or(from, |i| from + i + 1);
    let before = &b[line_start..span.start];
    let Some(open) = memchr::memrchr(b'(', before) else {
        return false;
    };
    if before[open..].contains(&b')') {
        return false;
    }
    // The call's name ends with one of them (their bytes are letters, so they are the
    // end of the name's run of letters, digits and `_`).
    SUBSTRING_CALLS
        .iter()
        .any(|c| open >= c.len() && before[open - c.len()..open].eq_ignore_ascii_case(c))
}

/// Whether the span is an unquoted key that starts its line (YAML: `  name:`), after
/// at most [`MAX_RUN`] bytes of indentation.
pub fn yaml_key(text: &str, span: &Range<usize>) -> bool {
    let b = text.as_bytes();
    let floor = span.start.saturating_sub(MAX_RUN);
    let mut i = span.start;
    while i > floor && matches!(b[i - 1], b' ' | b'\t') {
        i -= 1;
    }
    i == 0 || b[i - 1] == b'\n'
}

/// Whether a bare word can be a repository name without its org: it starts with a
/// letter and holds a digit and a `-` (`Qwen2-VL-7B`, `vicuna-7b-v1.5`), or `_`-parts
/// of which one is a size or a precision (`qwen_3_4b`, `t5xxl_fp16`: weight file stems
/// as diffusion UIs write them). Code identifiers (`self.conv1`, `float16`, `qwen2_vl`,
/// `layer_2`) never are, so this is a cheap filter.
#[inline]
pub fn bare_repo_name(word: &str) -> bool {
    let b = word.as_bytes();
    b.len() >= 5
        && b[0].is_ascii_alphabetic()
        && b.iter().any(u8::is_ascii_digit)
        && (memchr::memchr(b'-', b).is_some()
            || (memchr::memchr(b'_', b).is_some() && word.split('_').any(size_or_precision)))
}

/// Whether a name gives a model's size (`Zephyr-7b-beta`, `Mixtral-8x7B-Instruct`,
/// `qwen_3_4b`): a checkpoint, where `Qwen2-VL` or `llama-2` in prose name a family.
pub fn sized_name(name: &str) -> bool {
    name.split(['-', '_']).any(|p| {
        let p = p.strip_prefix(['a', 'A']).unwrap_or(p);
        let p = p.split_once(['x', 'X']).map_or(p, |(n, rest)| {
            if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
                rest
            } else {
                p
            }
        });
        size_or_precision(p) && !p.starts_with(['f', 'b'])
    })
}

/// `4b`, `06b`, `1.5B`, `350m`, `fp16`, `bf16`, `fp8`: a part of a weight file stem
/// that gives the model's size or its number format.
fn size_or_precision(part: &str) -> bool {
    let p = part.as_bytes();
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(|c| c.is_ascii_digit() || *c == b'.');
    match p {
        [head @ .., b'b' | b'B' | b'm' | b'M'] => digits(head) && head[0].is_ascii_digit(),
        [b'f' | b'b', b'p' | b'f', rest @ ..] => {
            !rest.is_empty() && rest.iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

/// A repository name without its org, resolved by the family its name carries.
fn resolve_bare_repo_name(kb: &KnowledgeBase, name: &str) -> Option<Resolution> {
    inherit_by_name(
        kb,
        name,
        "a repository name without its org that carries",
        "inherits",
    )
}

/// Whether `word` names a provider, an API router or a model-string parser's provider
/// (`openai`, `groq`, `deepseek`, `google_vertexai`).
fn is_provider(kb: &KnowledgeBase, word: &str) -> bool {
    kb.provider_of_prefix(word).is_some()
        || in_list(&kb.vocab.api_routers, word)
        || in_list(&kb.vocab.model_prefixes, word)
}

/// Whether the span is a whole value: after a quote, `=`, `:`, `(`, `[`, `,`, `{`, a
/// list dash or the start of a line (at most [`MAX_RUN`] spaces skipped), and before a
/// quote, a closing bracket, `,`, `;`, white space or the end. `"Local Qwen"` is not a
/// whole value.
pub fn standalone(text: &str, span: &Range<usize>) -> bool {
    let b = text.as_bytes();
    let mut i = span.start;
    let floor = i.saturating_sub(MAX_RUN);
    while i > floor && matches!(b[i - 1], b' ' | b'\t') {
        i -= 1;
    }
    let before_ok = i == 0
        || matches!(
            b[i - 1],
            b'"' | b'\'' | b'`' | b'=' | b':' | b'(' | b'[' | b',' | b'{' | b'\n'
        )
        || (b[i - 1] == b'-' && (i < 2 || matches!(b[i - 2], b' ' | b'\t' | b'\n')));
    let after_ok = b.get(span.end).is_none_or(|c| {
        matches!(
            c,
            b'"' | b'\''
                | b'`'
                | b')'
                | b']'
                | b'}'
                | b','
                | b';'
                | b' '
                | b'\t'
                | b'\r'
                | b'\n'
                | b'#'
        )
    });
    before_ok && after_ok
}

/// Whether `start..end` is a whole string literal: the same quote right before and
/// right after it (`"koala-13b"`, not `"the koala-13b model"`).
pub fn whole_literal(b: &[u8], start: usize, end: usize) -> bool {
    start > 0 && matches!(b[start - 1], b'"' | b'\'' | b'`') && b.get(end) == Some(&b[start - 1])
}

/// Bare words shorter than this need a model context (or, with a digit, to be a whole
/// string literal: `"o1"`).
const SHORT_BARE: usize = 5;

/// Turns a candidate into a reference, or `None` when it is not one in this context.
pub fn resolve_candidate(
    text: &str,
    cand: &Candidate,
    ctx: Context,
    kb: &KnowledgeBase,
) -> Option<Reference> {
    let src = text.get(cand.span.clone())?;
    let expects_model = matches!(ctx, Context::Model | Context::Ollama);
    // Most candidates are not references: nothing is allocated until one is.
    let mk = |kind: RefKind, id: String, resolution: Option<Resolution>| Reference {
        span: cand.span.clone(),
        text: src.to_string(),
        kind,
        id,
        resolution: Resolution::share(resolution),
        evidence: None,
    };
    match &cand.shape {
        Shape::File { file, weights } => {
            let kind = if *weights == Weights::Gguf {
                RefKind::Gguf
            } else {
                RefKind::File
            };
            if let Some(r) = resolve_file(kb, file) {
                return Some(mk(kind, file.clone(), Some(r)));
            }
            // `model.gguf`, `pytorch_model.bin`, `best.pt`: test or generic names.
            let generic = match weights {
                Weights::Gguf => is_generic_gguf(&kb.vocab, file),
                _ => is_generic_weights(&kb.vocab, file),
            };
            // `.pt` and `.bin` hold other data too: unknown ones need a model context.
            let weak = *weights == Weights::Weak && !expects_model;
            (!generic && !weak).then(|| mk(kind, file.clone(), None))
        }
        Shape::Repo {
            org,
            name,
            tag,
            explicit,
            api_router,
            prefixed,
        } => {
            let id = repo_id(org, name);
            // `image/png`; `your-username/my-model`, `org/some-model` (unless a vendor
            // rule names the id: a real org may be called like a placeholder).
            if is_not_org(&kb.vocab, org)
                || (is_placeholder_repo(&kb.vocab, org, name)
                    && kb.best_match(PatternKind::HfRepo, &id).is_none())
            {
                return None;
            }
            // `models/...`, `datasets/...`: reserved on the hub, never an org.
            if kb
                .vocab
                .hf_reserved
                .iter()
                .any(|r| r.eq_ignore_ascii_case(org))
            {
                return resolve_api(kb, name).map(|r| mk(RefKind::Api, name.clone(), Some(r)));
            }
            // `groq/NAME`, `deepseek/NAME`: a provider's own name for a model.
            let provider = kb.provider_of_prefix(org);
            if let Some(r) = provider.and_then(|p| resolve_hosted(kb, Some(p), name)) {
                return Some(mk(RefKind::Api, name.clone(), Some(r)));
            }
            if let Some(r) = resolve_repo_id(kb, &id, org, name) {
                return Some(mk(RefKind::Hf, id, Some(r)));
            }
            if provider.is_some() {
                let r = resolve_behind_provider(kb, provider, &id, name);
                return (r.is_some() || *explicit || expects_model)
                    .then(|| mk(RefKind::Api, id.clone(), r));
            }
            if *api_router {
                // LiteLLM-style `provider/model` first as written, then the model name.
                if let Some(r) = resolve_generated(kb, GenKind::Api, "", &id) {
                    return Some(mk(RefKind::Api, id, Some(r)));
                }
                if let Some(r) = resolve_api(kb, name) {
                    return Some(mk(RefKind::Api, name.clone(), Some(r)));
                }
            }
            // `user/model:tag` after `ollama pull` is a namespaced Ollama model.
            if ctx == Context::Ollama && tag.is_some() && !*explicit {
                return Some(mk(
                    RefKind::Ollama,
                    format!("{id}:{}", tag.as_deref().unwrap_or("")),
                    None,
                ));
            }
            // `Cohere/AWS` inside a sentence, `family/template` in Markdown prose: two
            // words joined by a slash.
            // `(Gemini/GPT-4.1)`: a word, then a closed API model's name in another case.
            let prose_pair = (slash_pair_of_words(org, name)
                || (cand.prose && plain_word(org) && plain_word(name))
                || (plain_word(org) && resolve_api(kb, &name.to_ascii_lowercase()).is_some()))
                && !whole_literal(text.as_bytes(), cand.span.start, cand.span.end);
            ((*explicit || expects_model) && !*prefixed && !prose_pair)
                .then(|| mk(RefKind::Hf, id, None))
        }
        Shape::Hosted { provider, name } => {
            let r = match name.split_once('/') {
                Some((org, n)) => {
                    resolve_hosted(kb, Some(*provider), name).or_else(|| resolve_repo(kb, org, n))
                }
                None => resolve_behind_provider(kb, Some(*provider), name, name),
            };
            Some(mk(RefKind::Api, name.clone(), r))
        }
        // `ollama:llama3` (LangChain's init_chat_model): an Ollama name.
        Shape::Ollama {
            name,
            tag: Some(tag),
            explicit: false,
        } if in_list(&kb.vocab.ollama_routers, name) => {
            let (n, t) = tag
                .split_once(':')
                .map_or((tag.as_str(), None), |(n, t)| (n, Some(t)));
            let r = resolve_ollama(kb, n, t)?;
            Some(mk(RefKind::Ollama, tag.clone(), Some(r)))
        }
        // `openai:gpt-4o`, `groq:llama-3.3-70b-versatile` (pydantic-ai, aichat).
        Shape::Ollama {
            name,
            tag: Some(tag),
            explicit: false,
        } if is_provider(kb, name) && resolve_ollama(kb, name, Some(tag)).is_none() => {
            let provider = kb.provider_of_prefix(name);
            let prefixed = format!("{name}/{tag}");
            let r = resolve_behind_provider(kb, provider, &prefixed, tag);
            (r.is_some() || expects_model).then(|| mk(RefKind::Api, tag.clone(), r))
        }
        Shape::Ollama {
            name,
            tag,
            explicit,
        } => {
            let id = match tag {
                Some(t) => format!("{name}:{t}"),
                None => name.clone(),
            };
            if let Some(r) = resolve_ollama(kb, name, tag.as_deref()) {
                // A bare-looking tag-less name behind no router needs a model context.
                if tag.is_some() || *explicit || expects_model {
                    return Some(mk(RefKind::Ollama, id, Some(r)));
                }
            }
            // Bedrock ids look like `name:tag` (`anthropic.claude-3-haiku-20240307-v1:0`).
            if let Some(r) = tag
                .as_ref()
                .and_then(|t| resolve_api(kb, &format!("{name}:{t}")))
            {
                return Some(mk(RefKind::Api, id, Some(r)));
            }
            // Unknown Ollama names are references only with a router prefix.
            explicit.then(|| mk(RefKind::Ollama, id, None))
        }
        Shape::Bare { name } => {
            // The most specific pattern across API names, legacy ids and (where a
            // model is expected) Ollama names wins; on a tie, that order.
            let whole = ctx == Context::Ollama || (expects_model && standalone(text, &cand.span));
            let short_ok = name.len() >= SHORT_BARE
                || whole
                || (name.bytes().any(|b| b.is_ascii_digit())
                    && (cand.loose
                        || whole_literal(text.as_bytes(), cand.span.start, cand.span.end)));
            let mut best: Option<(RefKind, Match)> = None;
            let mut consider = |kind: RefKind, m: Option<Match>| {
                if let Some(m) = m
                    && best.as_ref().is_none_or(|(_, b)| m.weight > b.weight)
                {
                    best = Some((kind, m));
                }
            };
            // Where an Ollama name is expected it wins; elsewhere an API name does
            // (`co.chat(model="command-r-plus")` is the API, not the open weights).
            // A bare family word (`Mistral`, `Qwen`) is an Ollama name only where one is
            // expected; a name with a version or several parts (`llama3.1`,
            // `nomic-embed-text`) also where a model is.
            let versioned = name.bytes().any(|b| b.is_ascii_digit() || b == b'-');
            let ollama = if (whole && (ctx == Context::Ollama || versioned))
                || (cand.code_span && name.contains('-'))
            {
                kb.best_match(PatternKind::Ollama, name)
            } else {
                None
            };
            // `strings.HasPrefix(model, "claude-4")`, `"llama-2" in path`: a family's
            // prefix, a model only when it is itself an exact id.
            let prefix_test = substring_test(text, &cand.span);
            let api = if short_ok {
                kb.best_match(PatternKind::Api, name)
                    .filter(|m| api_name_whole(&kb.vocab, name, &m.pattern, !expects_model))
                    .filter(|_| !prefix_test || kb.generated.contains(GenKind::Api, name))
            } else {
                None
            };
            match (ctx, ollama, api) {
                (Context::Ollama, Some(m), _) => consider(RefKind::Ollama, Some(m)),
                (_, _, Some(m)) => consider(RefKind::Api, Some(m)),
                (_, o, None) => {
                    if short_ok {
                        consider(RefKind::Hf, kb.best_match(PatternKind::HfLegacy, name));
                    }
                    consider(RefKind::Ollama, o);
                }
            }
            if let Some((kind, m)) = best {
                let what = match kind {
                    RefKind::Api => "API model name",
                    RefKind::Hf => "legacy Hugging Face id",
                    _ => "Ollama library name",
                };
                let how = format!("the {what} matches the rule `{}`", m.pattern);
                return Some(mk(kind, name.clone(), Some(rules(kb, m, how))));
            }
            // No curated rule: an exact id of the generated indexes.
            if ctx == Context::Ollama || !short_ok {
                let r = whole
                    .then(|| resolve_generated(kb, GenKind::Ollama, "", name))
                    .flatten();
                return r.map(|r| mk(RefKind::Ollama, name.clone(), Some(r)));
            }
            if let Some(r) = resolve_generated(kb, GenKind::Api, "", name) {
                return Some(mk(RefKind::Api, name.clone(), Some(r)));
            }
            if let Some(r) = resolve_hosted(kb, None, name) {
                return Some(mk(RefKind::Api, name.clone(), Some(r)));
            }
            // A repository name without its org (`Llama-3.1-8B-Instruct`, `DeepSeek-R1`)
            // as a whole value where a model is expected: the family its name carries.
            let model_value = expects_model && standalone(text, &cand.span);
            // A mapping key names a model only as a YAML key under a model key
            // (`models:` then `Qwen2.5-72B-Instruct:`); a quoted key is a display name.
            let is_key = is_mapping_key(text, cand.span.end);
            let model_key = is_key && expects_model && yaml_key(text, &cand.span);
            let loose = cand.loose
                && !descriptive_name(&kb.vocab, name)
                && (!prefix_test || sized_name(name));
            if (model_value || model_key || loose) && (!is_key || model_key) && bare_repo_name(name)
            {
                return resolve_bare_repo_name(kb, name)
                    .map(|r| mk(RefKind::Hf, name.clone(), Some(r)));
            }
            let r = (whole || (cand.code_span && name.contains('-')))
                .then(|| resolve_generated(kb, GenKind::Ollama, "", name))
                .flatten();
            r.map(|r| mk(RefKind::Ollama, name.clone(), Some(r)))
        }
    }
}

/// Whether `org/name` reads as two capitalised words joined by a slash (`Cohere/AWS`,
/// `UW/AllenAI`, `Illustrious/NoobAI`): letters only on both sides, each side starting
/// with a capital. Repository names almost always carry a size, a version or a
/// separator; an unknown pair of plain words inside a sentence is prose.
pub fn slash_pair_of_words(org: &str, name: &str) -> bool {
    let word = |s: &str| {
        s.bytes().next().is_some_and(|c| c.is_ascii_uppercase())
            && s.bytes().all(|c| c.is_ascii_alphabetic())
    };
    word(org) && word(name)
}

/// Whether `s` is a plain word: ASCII letters only.
fn plain_word(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphabetic())
}

/// Whether a candidate can be a reference in some context: shapes that are
/// references only when known (bare words, tagged Ollama names, checkpoint files)
/// need a matching pattern. A cheap test run before the context analysis.
pub fn may_resolve(kb: &KnowledgeBase, shape: &Shape) -> bool {
    match shape {
        Shape::Repo { .. } | Shape::File { .. } | Shape::Hosted { .. } => true,
        Shape::Ollama {
            name,
            tag: Some(_),
            explicit: false,
        } if is_provider(kb, name) || in_list(&kb.vocab.ollama_routers, name) => true,
        Shape::Ollama { explicit: true, .. } => true,
        Shape::Ollama {
            name,
            tag,
            explicit: false,
        } => {
            resolve_ollama(kb, name, tag.as_deref()).is_some()
                || tag
                    .as_ref()
                    .is_some_and(|t| resolve_api(kb, &format!("{name}:{t}")).is_some())
        }
        Shape::Bare { name } => {
            bare_known(kb, name)
                || (bare_repo_name(name) && kb.best_match(PatternKind::Name, name).is_some())
        }
    }
}

/// Whether a bare word is a name the base knows by itself: an API, legacy Hub or
/// Ollama pattern, an API or Ollama name of the generated indexes, or a hosted name.
fn bare_known(kb: &KnowledgeBase, name: &str) -> bool {
    kb.best_match(PatternKind::Api, name).is_some()
        || kb.best_match(PatternKind::HfLegacy, name).is_some()
        || kb.best_match(PatternKind::Ollama, name).is_some()
        || kb.generated.contains(GenKind::Api, name)
        || kb.generated.contains(GenKind::Ollama, name)
        || kb.may_be_hosted(name)
}

/// What a candidate needs to become a reference: `None` when it cannot be one
/// anywhere, [`Want::Model`] when only a model context makes it one, [`Want::Any`]
/// otherwise. [`may_resolve`] and [`neutral_may_resolve`] in one pass, so that a bare
/// word's patterns are looked up once.
///
/// `bare_prefix` is [`KnowledgeBase::bare_may_match`] of the word: when it is false no
/// API, legacy, Ollama, generated or hosted name can match a bare word, and only a
/// family's name pattern is looked up.
pub fn candidate_want(kb: &KnowledgeBase, shape: &Shape, bare_prefix: bool) -> Option<Want> {
    if let Shape::Bare { name } = shape {
        let known = bare_prefix && bare_known(kb, name);
        if known {
            return Some(Want::Any);
        }
        let by_name = bare_repo_name(name) && kb.best_match(PatternKind::Name, name).is_some();
        return by_name.then_some(Want::Model);
    }
    if !may_resolve(kb, shape) {
        return None;
    }
    // `application/json`, `image/png`: never a reference, whatever the context
    // ([`resolve_candidate`] refuses a MIME type's org first).
    if let Shape::Repo { org, .. } = shape
        && is_not_org(&kb.vocab, org)
    {
        return None;
    }
    Some(if neutral_may_resolve(kb, shape) {
        Want::Any
    } else {
        Want::Model
    })
}

/// Whether `shape` can be a reference where no model is expected
/// ([`Context::Neutral`]). False only for an `org/name` that no rule knows, behind no
/// router: [`resolve_candidate`] makes that a reference only in a model context, so
/// the classifier need not tell a neutral context from a negative one.
pub fn neutral_may_resolve(kb: &KnowledgeBase, shape: &Shape) -> bool {
    // A bare word that only a family's name pattern knows needs a model context.
    if let Shape::Bare { name } = shape {
        return bare_known(kb, name);
    }
    let Shape::Repo {
        org,
        name,
        explicit,
        api_router,
        ..
    } = shape
    else {
        return true;
    };
    if *explicit
        || kb.provider_of_prefix(org).is_some()
        || kb
            .vocab
            .hf_reserved
            .iter()
            .any(|r| r.eq_ignore_ascii_case(org))
    {
        return true;
    }
    let id = repo_id(org, name);
    kb.best_match(PatternKind::HfRepo, &id).is_some()
        || kb.best_match(PatternKind::Name, name).is_some()
        || kb.generated.contains(GenKind::Hf, &id)
        || (*api_router
            && (resolve_api(kb, name).is_some() || kb.generated.contains(GenKind::Api, &id)))
}

/// Resolves an id typed by a user (`fineprint explain`, rule examples): any shape.
pub fn resolve_str(kb: &KnowledgeBase, s: &str) -> Option<Reference> {
    // `library:name`, as fineprint prints library-native names (`whisper:large-v3`).
    if let Some((lib, name)) = s.trim().split_once(':')
        && let Some(li) = kb.libraries.by_id(lib)
        && let Some((id, resolution)) = resolve_library_name(kb, li, name)
    {
        return Some(Reference {
            span: lib.len() + 1..s.trim().len(),
            text: name.to_string(),
            kind: RefKind::Library,
            id,
            resolution: Resolution::share(resolution),
            evidence: None,
        });
    }
    let (sub, shape) = crate::candidate::shape_of(&kb.vocab, s.trim())?;
    let bare = matches!(shape, Shape::Bare { .. });
    let cand = Candidate {
        span: sub,
        shape,
        loose: false,
        code_span: false,
        prose: false,
    };
    let r = resolve_candidate(s.trim(), &cand, Context::Model, kb);
    // A bare family word typed alone (`mistral`) is the Ollama name.
    if bare && r.as_ref().is_none_or(|r| r.resolution.is_none()) {
        return resolve_candidate(s.trim(), &cand, Context::Ollama, kb).or(r);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kb() -> &'static crate::kb::KnowledgeBase {
        crate::kb::KnowledgeBase::builtin_for_tests()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// `neutral_may_resolve` is false only for candidates that resolution makes a
        /// reference in a model context alone: in a neutral context they give nothing.
        #[test]
        fn neutral_may_resolve_is_safe(
            org in prop_oneof![
                Just("meta-llama"), Just("unsloth"), Just("acme"), Just("openai"),
                Just("models"), Just("datasets"), Just("huggingface"), Just("bartowski"),
                Just("black-forest-labs"), Just("Qwen"), Just("mistralai"), Just("x"),
            ],
            name in prop_oneof![
                Just("Llama-3.1-8B"), Just("Llama-3.1-8B-Instruct-GGUF"), Just("gpt-4o"),
                Just("FLUX.1-dev"), Just("Qwen2.5-7B-Instruct"), Just("support-bot"),
                Just("Mistral-7B-v0.1"), Just("my-llama-3.1-8b-ft"), Just("widget"),
            ],
            tag in prop_oneof![Just(""), Just(":latest"), Just(":7b")],
            router in prop_oneof![Just(""), Just("openrouter/"), Just("hf.co/"), Just("ollama/")],
        ) {
            let kb = kb();
            let word = format!("{router}{org}/{name}{tag}");
            if let Some((sub, shape)) = crate::candidate::shape_of(&kb.vocab, &word)
                && !neutral_may_resolve(kb, &shape)
            {
                let cand = Candidate {
                    span: sub,
                    shape,
                    loose: false,
                    code_span: false,
                    prose: false,
                };
                prop_assert!(
                    resolve_candidate(&word, &cand, Context::Neutral, kb).is_none(),
                    "{}", word
                );
            }
        }
    }
}
