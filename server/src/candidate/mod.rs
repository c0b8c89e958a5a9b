//! What the detector hands the resolver: a candidate word's [`Shape`] (and the
//! [`shape_of`] that finds it), the [`Context`] around it, what the detector asks of
//! that context ([`Want`]), the arguments of a library call ([`Args`]), and the
//! vocabulary of words that look like models but name none ([`placeholders`]).
//!
//! Both [`crate::detect`] and [`crate::resolve`] build on these types; this module sits
//! below both and imports neither.
//!
//! Invariants:
//! * Imports nothing from `detect` or `resolve`: only the knowledge base's vocabulary
//!   ([`crate::kb`]), `std` and crates.
//! * A candidate's span is a byte range into the text it was found in, on UTF-8
//!   character boundaries.
//! * [`shape_of`] and the placeholder checks depend only on the word and the
//!   vocabulary; no word makes them panic.

mod args;
pub mod placeholders;
mod shape;

use std::ops::Range;

pub use args::{Arg, Args, Value};
pub(crate) use shape::in_list;
pub use shape::shape_of;

/// The shape of a candidate word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    /// `org/name`; `explicit` when written as a hub URL or with a router prefix,
    /// which names a model whatever the context.
    Repo {
        /// Organisation or user.
        org: String,
        /// Repository name.
        name: String,
        /// `:tag` after the name (Ollama pulls from the hub).
        tag: Option<String>,
        /// Written as a URL or with a router prefix.
        explicit: bool,
        /// Written behind an API router (`openai/…`): may also be an API name.
        api_router: bool,
        /// Written after a model-string parser's `provider:` word
        /// (`netmind:deepseek-ai/DeepSeek-R1`): a reference only when a rule knows it.
        prefixed: bool,
    },
    /// `name:tag` or a name behind an Ollama router.
    Ollama {
        /// Library name.
        name: String,
        /// Tag.
        tag: Option<String>,
        /// Written with an Ollama router prefix.
        explicit: bool,
    },
    /// A model file name: GGUF (always a model) or a single-file checkpoint
    /// (`.safetensors`, `.ckpt`: a reference only when its name is known).
    File {
        /// File name, with its extension.
        file: String,
        /// What its extension says.
        weights: Weights,
    },
    /// A name behind a hosting provider's path (`@cf/meta/llama-3.1-8b-instruct`,
    /// `accounts/fireworks/models/llama-v3p1-8b-instruct`): always names a model.
    Hosted {
        /// Index into the knowledge base's providers.
        provider: usize,
        /// The name after the path, as written.
        name: String,
    },
    /// A word without `/` or `:`.
    Bare {
        /// The word.
        name: String,
    },
}

/// A word that may name a model, before resolution.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Byte span of the reference text.
    pub span: Range<usize>,
    /// Its shape.
    pub shape: Shape,
    /// The word stands alone where a name is written for its own sake: a whole string
    /// literal (`"GLM-4-9B-Chat"`) or a word of Markdown prose. A repository name
    /// without its org that a family's name pattern knows is then a reference in any
    /// context, not only a model context.
    pub loose: bool,
    /// The word is a whole inline code span of Markdown prose (`` `mxbai-embed-large` ``):
    /// a name written for its own sake, where a distinctive Ollama library name (one
    /// with a `-`) is that model even without an Ollama command around it.
    pub code_span: bool,
    /// The word stands in Markdown prose (a Markdown file outside a code fence, a
    /// notebook's Markdown cell, a text file).
    pub prose: bool,
}

/// What a weight file's extension says of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weights {
    /// `.gguf`: a model file with its own header.
    Gguf,
    /// `.safetensors`, `.ckpt`, `.pth`, `.onnx`: weights wherever the name appears.
    Strong,
    /// `.pt`, `.bin`: also used for other data; weights only in a model context.
    Weak,
}

/// Extensions of model files whose names are matched against `names` patterns (an
/// unknown name is a reference too, unless it is generic: see [`placeholders`]).
pub const MODEL_FILE_EXTENSIONS: [(&str, Weights); 7] = [
    (".gguf", Weights::Gguf),
    (".safetensors", Weights::Strong),
    (".ckpt", Weights::Strong),
    (".pth", Weights::Strong),
    (".onnx", Weights::Strong),
    (".pt", Weights::Weak),
    (".bin", Weights::Weak),
];

/// The context of a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Never a reference (dataset, Docker image, import line, output name, ...).
    Negative,
    /// A model is expected here: unknown `org/name` ids are references.
    Model,
    /// An Ollama name is expected here (`ollama pull`, Modelfile `FROM`).
    Ollama,
    /// Nothing special: only known models are references.
    Neutral,
}

/// What a caller of the context classifier (`detect::context::classify_for`) needs to
/// know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// The context, exactly.
    Any,
    /// Only whether it is [`Context::Model`] or [`Context::Ollama`] (an unknown
    /// `org/name` is a reference nowhere else): [`Context::Neutral`] may then stand
    /// for [`Context::Negative`], which saves the search for `repo_type=`.
    Model,
}
