//! The TOML schema of `rules/` (documented in `rules/README.md`).
//!
//! Invariant: every struct rejects unknown keys, so a misspelt field in a rules file
//! is a load error with its file and line, never a silently missing fact.

use serde::Deserialize;

/// Where a fact was read, as written in a file's top-level `source`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The document the facts come from.
    pub url: String,
    /// The clause, heading or metadata key (required for model families).
    #[serde(default)]
    pub section: Option<String>,
    /// The date the source was read, `YYYY-MM-DD`.
    pub checked: String,
    /// Set when the fact could not be confirmed in a primary source.
    #[serde(default)]
    pub inferred: bool,
    /// What an inferred fact rests on.
    #[serde(default)]
    pub note: Option<String>,
}

/// Generates a fact struct: the given fields plus the provenance every fact carries.
macro_rules! fact {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
            /// Plain statement of the clause, in this project's words.
            pub text: String,
            /// Clause or heading in the source document.
            pub section: String,
            /// Source document, when it is not the file's `source.url`.
            #[serde(default)]
            pub url: Option<String>,
            /// Date checked, when it is not the file's `source.checked`.
            #[serde(default)]
            pub checked: Option<String>,
            /// Not confirmed in a primary source.
            #[serde(default)]
            pub inferred: bool,
            /// What an inferred fact rests on, or a caveat.
            #[serde(default)]
            pub note: Option<String>,
        }

        impl Fact for $name {
            fn text(&self) -> &str { &self.text }
            fn section(&self) -> &str { &self.section }
            fn url(&self) -> Option<&str> { self.url.as_deref() }
            fn checked(&self) -> Option<&str> { self.checked.as_deref() }
            fn inferred(&self) -> bool { self.inferred }
            fn note(&self) -> Option<&str> { self.note.as_deref() }
        }
    };
}

/// Provenance common to every fact.
pub trait Fact {
    /// Plain statement of the clause.
    fn text(&self) -> &str;
    /// Clause or heading in the source.
    fn section(&self) -> &str;
    /// Source document, if not the license's own.
    fn url(&self) -> Option<&str>;
    /// Date checked, if not the license's own.
    fn checked(&self) -> Option<&str>;
    /// Not confirmed in a primary source.
    fn inferred(&self) -> bool;
    /// Caveat.
    fn note(&self) -> Option<&str>;
}

/// Whether commercial use is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommercialStatus {
    /// Allowed without conditions beyond notices.
    Allowed,
    /// Allowed under conditions (thresholds, registration, ...).
    Conditional,
    /// Not allowed.
    Prohibited,
}

/// Kinds of commercial conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConditionKind {
    /// Users per month of the licensee's products.
    MonthlyActiveUsers,
    /// Yearly revenue in US dollars.
    AnnualRevenueUsd,
    /// Monthly revenue in US dollars.
    MonthlyRevenueUsd,
    /// The licensee must register or accept terms with the vendor.
    Registration,
    /// Restrictions on hosting the model as a service.
    Hosting,
    /// Commercial use needs the vendor's written approval.
    Approval,
}

impl ConditionKind {
    /// Whether `limit` is a number the policy can compare.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            Self::MonthlyActiveUsers | Self::AnnualRevenueUsd | Self::MonthlyRevenueUsd
        )
    }
}

fact!(
    /// A condition on commercial use.
    Condition {
        /// What kind of condition.
        kind: ConditionKind,
        /// For numeric kinds: the largest value still allowed.
        #[serde(default)]
        limit: Option<u64>,
    }
);

fact!(
    /// The commercial-use facet.
    Commercial {
        /// allowed | conditional | prohibited.
        status: CommercialStatus,
        /// Conditions, when conditional.
        #[serde(default)]
        conditions: Vec<Condition>,
    }
);

fact!(
    /// A banned field of use.
    FieldOfUse {
        /// The field (`military`, `surveillance`, ...).
        #[serde(rename = "use")]
        field: String,
    }
);

/// Clauses on the use of model outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputClause {
    /// Outputs are the user's; no restriction.
    Free,
    /// Models trained on outputs must carry the vendor's name.
    NamingDuty,
    /// Models trained on outputs are derivatives under this license.
    DistillationDerivative,
    /// Outputs may not be used to build competing models.
    NoCompetingModels,
    /// Outputs may not be used to improve other large language models.
    NoImprovingOtherLlms,
}

impl OutputClause {
    /// Whether the clause restricts anything.
    pub fn restricts(self) -> bool {
        self != Self::Free
    }
}

fact!(
    /// A clause on model outputs.
    Output {
        /// Which clause.
        clause: OutputClause,
    }
);

/// Kinds of attribution duty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributionKind {
    /// Keep a notice or the license text with copies.
    Notice,
    /// Display "Built with ..." in products.
    BuiltWith,
    /// Derived models must carry a name prefix.
    NamePrefix,
}

fact!(
    /// An attribution duty.
    Attribution {
        /// Which duty.
        kind: AttributionKind,
    }
);

/// What a regional exclusion applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionScope {
    /// Every model under the license.
    All,
    /// Only multimodal (vision) models under the license.
    Multimodal,
}

fact!(
    /// A regional exclusion.
    Region {
        /// Excluded regions: ISO 3166 alpha-2 codes or `EU`.
        excluded: Vec<String>,
        /// Which models it applies to.
        scope: RegionScope,
    }
);

fact!(
    /// Whether restrictions pass on to derivatives.
    Derivatives {
        /// Derivatives must carry the same restrictions.
        pass_through: bool,
    }
);

/// One license file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct License {
    /// Hugging Face license id or `license_name` (lowercase).
    pub id: String,
    /// Full name.
    pub name: String,
    /// Short name for inlay hints.
    pub short_name: String,
    /// Other spellings.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The license text.
    pub url: String,
    /// SPDX License List id, if the license is on it.
    #[serde(default)]
    pub spdx: Option<String>,
    /// Approved by the Open Source Initiative.
    pub osi_approved: bool,
    /// Two plain sentences.
    pub summary: String,
    /// Default source of the facts.
    pub source: Source,
    /// Commercial use.
    pub commercial: Commercial,
    /// Banned fields of use.
    #[serde(default)]
    pub field_of_use: Vec<FieldOfUse>,
    /// Clauses on outputs.
    #[serde(default)]
    pub outputs: Vec<Output>,
    /// Attribution duties.
    #[serde(default)]
    pub attribution: Vec<Attribution>,
    /// Regional exclusions.
    #[serde(default)]
    pub regions: Vec<Region>,
    /// Pass-through to derivatives.
    #[serde(default)]
    pub derivatives: Option<Derivatives>,
    /// Caveat about the whole license.
    #[serde(default)]
    pub note: Option<String>,
    /// Short phrases of the license text (its title, say) that identify it in a
    /// license file: all must appear, compared without case or spacing differences.
    #[serde(default)]
    pub fingerprints: Vec<String>,
}

/// Whether weights can be downloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// Weights are downloadable.
    OpenWeights,
    /// Only reachable through a vendor's API.
    Api,
}

/// How much a vendor discloses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disclosure {
    /// Published.
    Open,
    /// Described in part.
    Partial,
    /// Not published.
    Closed,
}

impl Disclosure {
    /// Lowercase word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Partial => "partial",
            Self::Closed => "closed",
        }
    }
}

/// Positive and negative examples of a family or variant.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Ids that must resolve here.
    #[serde(default)]
    pub positive: Vec<String>,
    /// Ids that must not resolve here.
    #[serde(default)]
    pub negative: Vec<String>,
}

/// Patterns by reference shape.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patterns {
    /// Vendor repositories: `ORG/NAME` globs, or legacy ids without org.
    #[serde(default)]
    pub hf: Vec<String>,
    /// Names of derivatives and GGUF files.
    #[serde(default)]
    pub names: Vec<String>,
    /// Ollama names and tags.
    #[serde(default)]
    pub ollama: Vec<String>,
    /// Closed API model names.
    #[serde(default)]
    pub api: Vec<String>,
}

/// A part of a family whose license differs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// Short name (`72B`, `2409`).
    pub name: String,
    /// License id.
    pub license: String,
    /// Where the license of this variant was read.
    pub source: Source,
    /// Patterns.
    #[serde(flatten)]
    pub patterns: Patterns,
    /// Examples.
    #[serde(default)]
    pub examples: Examples,
    /// Caveat (e.g. a license change over time).
    #[serde(default)]
    pub note: Option<String>,
    /// Training-data disclosure, when it differs from the family's.
    #[serde(default)]
    pub training_data: Option<Disclosure>,
    /// Earlier licenses of these repositories.
    #[serde(default)]
    pub history: Vec<History>,
}

/// A license a repository carried before it changed to the current one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct History {
    /// The earlier license id.
    pub license: String,
    /// The date (YYYY-MM-DD) from which revisions carry the current license instead.
    pub until: String,
    /// Where the earlier license was read.
    pub source: Source,
}

/// One model family.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Family {
    /// Unique id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Vendor.
    pub vendor: String,
    /// License id.
    pub license: String,
    /// open-weights | api.
    pub kind: ModelKind,
    /// text, multimodal, vision, image, ...
    #[serde(default)]
    pub modality: Option<String>,
    /// What the vendor discloses about training data.
    pub training_data: Disclosure,
    /// Whether training code is published.
    pub training_code: Disclosure,
    /// Family this one derives from.
    #[serde(default)]
    pub base: Option<String>,
    /// Where the license was read.
    pub source: Source,
    /// Where the training-data disclosure was read.
    #[serde(default)]
    pub training_data_source: Option<Source>,
    /// Patterns.
    #[serde(flatten)]
    pub patterns: Patterns,
    /// Permissively licensed alternatives (family ids).
    #[serde(default)]
    pub alternatives: Vec<String>,
    /// Examples.
    #[serde(default)]
    pub examples: Examples,
    /// Variants with other licenses.
    #[serde(default)]
    pub variant: Vec<Variant>,
    /// Earlier licenses of the family's repositories.
    #[serde(default)]
    pub history: Vec<History>,
    /// Caveat.
    #[serde(default)]
    pub note: Option<String>,
}

/// A models file: one or more families.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FamilyFile {
    /// The families.
    #[serde(default)]
    pub family: Vec<Family>,
}

/// `rules/detect.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectVocab {
    /// Key substrings that make a model context.
    pub model_key_contains: Vec<String>,
    /// Whole keys that make a model context.
    pub model_keys: Vec<String>,
    /// Key substrings that mark datasets.
    pub dataset_key_contains: Vec<String>,
    /// Keys whose values are never model references.
    pub ignore_keys: Vec<String>,
    /// Key substrings of outputs you create.
    pub ignore_key_contains: Vec<String>,
    /// Neutral keys that still inherit a parent's model context.
    pub inherit_keys: Vec<String>,
    /// Call-name substrings that take Ollama names.
    pub ollama_call_contains: Vec<String>,
    /// Call-name substrings that make a model context.
    pub model_call_contains: Vec<String>,
    /// Call-name substrings that mark datasets.
    pub dataset_call_contains: Vec<String>,
    /// Names (the last dotted part, exactly) of calls that format or print text: their
    /// arguments are no model context.
    #[serde(default)]
    pub text_calls: Vec<String>,
    /// Commands after which a word names a model.
    pub model_commands: Vec<String>,
    /// Commands whose argument is an Ollama name.
    pub ollama_commands: Vec<String>,
    /// `ROUTER/org/name` prefixes.
    pub hf_routers: Vec<String>,
    /// `ROUTER/name` prefixes for Ollama.
    pub ollama_routers: Vec<String>,
    /// `ROUTER/name` prefixes for API models.
    pub api_routers: Vec<String>,
    /// `PROVIDER:` prefixes that model-string parsers accept before a model name
    /// (LangChain's `init_chat_model("google_vertexai:gemini-2.5-flash")`, pydantic-ai).
    #[serde(default)]
    pub model_prefixes: Vec<String>,
    /// huggingface.co path segments that are not model repos.
    pub hf_reserved: Vec<String>,
    /// File extensions that make a name a file.
    pub file_extensions: Vec<String>,
    /// Orgs that re-upload others' models.
    pub reuploaders: Vec<String>,
    /// Name suffixes of conversions.
    pub conversion_suffixes: Vec<String>,
    /// Member states of the EU (ISO 3166 alpha-2).
    pub eu_members: Vec<String>,
    /// Known fields of use.
    pub fields_of_use: Vec<String>,
    /// Placeholder orgs (globs with `*`).
    #[serde(default)]
    pub placeholder_orgs: Vec<String>,
    /// Placeholder repository names (globs with `*`).
    #[serde(default)]
    pub placeholder_names: Vec<String>,
    /// GGUF stems that name no model.
    #[serde(default)]
    pub generic_gguf_stems: Vec<String>,
    /// Words of weight file names that name no model (`pytorch_model`, `best`,
    /// `checkpoint`): a `.safetensors`/`.pth`/... name made only of these, numbers and
    /// precisions is generic.
    #[serde(default)]
    pub generic_weight_words: Vec<String>,
    /// Words that are never a Hub org (MIME types).
    #[serde(default)]
    pub not_orgs: Vec<String>,
    /// Tail words allowed after a closed API name's literal part.
    #[serde(default)]
    pub api_tail_words: Vec<String>,
    /// Last `-` parts that make a name in prose or a loose literal a description
    /// (`Llama-2-style`, `Qwen2.5-based`), not a model.
    #[serde(default)]
    pub descriptive_tail_words: Vec<String>,
    /// Path prefixes of providers (`@cf/`, `accounts/fireworks/models/`), lowercase, with
    /// the provider's index; filled from `providers.toml` at load.
    #[serde(skip)]
    pub provider_paths: Vec<(String, usize)>,
    /// Provider prefixes (`groq` in `groq/NAME` and `groq:NAME`), lowercase, with the
    /// provider's index; filled from `providers.toml` at load.
    #[serde(skip)]
    pub provider_prefixes: Vec<(String, usize)>,
}

/// `rules/libraries.toml`: library calls that name models in their own vocabulary.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibraryFile {
    /// Every library.
    #[serde(default)]
    pub library: Vec<Library>,
}

/// One library: the calls that load a model by a name of its own, and what the names are.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Library {
    /// Unique lowercase id; names are shown as `id:name`.
    pub id: String,
    /// The package, for people.
    pub name: String,
    /// The package and version the facts were read from.
    pub package: String,
    /// Call names as written before `(`; a dotted call in code matches when its last
    /// segments equal one of these.
    pub calls: Vec<String>,
    /// Position of the positional string argument that holds the name.
    #[serde(default)]
    pub argument: Option<usize>,
    /// Keyword arguments that hold the name.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// `keyword=value` pairs of which the call needs one to load weights.
    #[serde(default)]
    pub requires: Vec<String>,
    /// Keywords that leave the call to ordinary detection.
    #[serde(default)]
    pub unless: Vec<String>,
    /// A positional argument (0-based) that, when given, leaves the call to ordinary
    /// detection (`pipeline("ner", "dslim/bert-base-NER")` names its model second).
    #[serde(default)]
    pub unless_argument: Option<usize>,
    /// The model the call uses when it is given no name (an id the rules resolve).
    #[serde(default)]
    pub default: Option<String>,
    /// Where the default was read.
    #[serde(default)]
    pub default_source: Option<Source>,
    /// Where the calls and their arguments are defined.
    pub source: Source,
    /// Call snippets that must not be references.
    #[serde(default)]
    pub examples: Examples,
    /// What the names are.
    #[serde(default)]
    pub names: Vec<LibraryNames>,
    /// A remark shown with the answer.
    #[serde(default)]
    pub note: Option<String>,
}

/// Names of a library that map to one model or family.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibraryNames {
    /// Globs on the name as written (`*` only, case-insensitive, `_` as `-`).
    #[serde(rename = "match")]
    pub globs: Vec<String>,
    /// A model id the rules resolve; `{name}` is replaced by the name as written.
    #[serde(default)]
    pub model: Option<String>,
    /// Or a family id.
    #[serde(default)]
    pub family: Option<String>,
    /// Where the mapping is stated.
    pub source: Source,
    /// Names that must (and must not) resolve through this entry.
    #[serde(default)]
    pub examples: Examples,
    /// A remark shown with the answer.
    #[serde(default)]
    pub note: Option<String>,
}

/// `rules/providers.toml`: hosting providers and the open weights behind their names.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderFile {
    /// Every provider.
    #[serde(default)]
    pub provider: Vec<Provider>,
}

/// A provider that hosts models behind names of its own.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// Unique lowercase id.
    pub id: String,
    /// For people.
    pub name: String,
    /// How code writes the provider before a model name (`groq/NAME`, `groq:NAME`).
    #[serde(default)]
    pub prefixes: Vec<String>,
    /// Literal path prefixes before a name (`@cf/`, `accounts/fireworks/models/`).
    #[serde(default)]
    pub paths: Vec<String>,
    /// Where the names are documented.
    pub source: Source,
    /// Names that serve open weights.
    #[serde(default)]
    pub hosted: Vec<Hosted>,
}

/// A provider's name for a model whose weights are public.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hosted {
    /// Exactly as the provider's API takes it.
    pub name: String,
    /// The weights it serves: an id the rules resolve.
    pub model: String,
    /// Where the provider says so.
    pub source: Source,
}
