//! fineprint: finds machine-learning model references in code and config, resolves
//! their licenses from an embedded knowledge base, and judges them against a policy.
//!
//! Layers (each knows nothing of the ones after it):
//! 0. [`kb`] (the knowledge base, as data; it imports no engine code), [`text`]
//!    (positions) and [`candidate`]: what the detector hands the resolver (a word's
//!    shape, its context, a call's arguments), below both; [`regular_file`] (reading
//!    only regular files, with a cap), [`regions`] (ISO 3166-1 codes) and
//!    [`model_file`] (a weight file's identity: the hash of its header) are leaves;
//! 1. [`resolve`]: a candidate's family, variant and license, with how we know;
//! 2. [`detect`]: text in, references with byte spans out (it asks `resolve`);
//! 3. [`policy`] (with its [`scope`]: which files, how loud each is) and [`findings`]:
//!    diagnostics under the project's policy, sharing the finding [`codes`] and
//!    severities, which sit below both;
//! 4. [`check`] walks a tree; [`render`] is the one place each output format is made;
//!    [`card`] renders a license card and [`explain`] what `fineprint explain` adds to
//!    it; [`rules_check`] holds the knowledge base's quality gates, which run the engine
//!    over every example a rule gives; [`update`] chooses the knowledge in force (the
//!    embedded base or an installed knowledge pack) and installs packs.

pub mod baseline;
pub mod candidate;
pub mod card;
pub mod check;
pub mod codes;
pub mod detect;
pub mod document;
pub mod evidence;
pub mod explain;
pub mod findings;
pub mod init;
pub mod kb;
pub mod lsp;
pub mod model_file;
pub mod net;
pub mod online;
pub mod policy;
pub mod regions;
pub mod regular_file;
pub mod render;
pub mod resolve;
pub mod rules_check;
pub mod scope;
pub mod text;
pub mod tracked;
pub mod update;
