//! Finding codes and severities: the words that findings, the policy and every report
//! share. They sit below [`crate::findings`] and [`crate::policy`] so that neither
//! imports the other for them.
//!
//! Invariants: codes are stable (documented in `docs/codes.md`); renaming one is a
//! breaking change. Severities are ordered from the most serious (`Error`) down.

use serde::Serialize;

/// How serious a finding is (LSP's four levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Blocks: exit code 1 in CI.
    Error,
    /// Needs a look.
    Warning,
    /// For information.
    Information,
    /// A quiet note.
    Hint,
}

impl Severity {
    /// Lowercase word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Information => "information",
            Self::Hint => "hint",
        }
    }
}

macro_rules! codes {
    ($($variant:ident = $s:literal : $doc:literal),* $(,)?) => {
        /// Stable finding codes.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(#[doc = $doc] $variant,)*
        }

        impl Code {
            /// Every code.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as written in output and policy files.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $s,)* }
            }

            /// One line on what the code means.
            pub fn description(self) -> &'static str {
                match self { $(Code::$variant => $doc,)* }
            }

            /// Parses a code.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    UnknownLicense = "unknown-license": "A model reference whose license fineprint cannot determine.",
    NonCommercial = "non-commercial": "The license forbids commercial use.",
    CommercialThreshold = "commercial-threshold": "Commercial use is allowed only below a threshold of users or revenue.",
    CommercialCondition = "commercial-condition": "Commercial use requires registration, approval, or limits hosting.",
    FieldOfUse = "field-of-use": "The license bans fields of use (for example military use).",
    OutputRestriction = "output-restriction": "The license restricts what the model's outputs may be used for.",
    NamingDuty = "naming-duty": "The license requires a name or a \"Built with\" notice on products or derived models.",
    RegionExcluded = "region-excluded": "The license excludes regions from its grant.",
    LicenseDenied = "license-denied": "The policy denies this license.",
    LicenseNotAllowed = "license-not-allowed": "The policy has an allow list, and this license is not on it.",
    ExceptionExpired = "exception-expired": "A policy exception for this model has expired.",
    ExceptionUnused = "exception-unused": "A policy exception matches no model reference in the files checked.",
    Excepted = "excepted": "A policy exception covers this model.",
    LicenseMismatch = "license-mismatch": "A license declared on this machine or in a Modelfile is more permissive than the license of the base model it derives from.",
    EvidenceConflict = "evidence-conflict": "Evidence on this machine (a cached model card, a GGUF header, the Ollama store) names another license than the rules for the same model.",
    ExceptionReason = "exception-reason": "A policy exception's reason is a placeholder (TODO), not a reason.",
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
