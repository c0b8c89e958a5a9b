//! Time linear in the input, on the shapes that once made it quadratic: one long line
//! of base64, one long line of `word/other` tokens, thousands of model ids on one
//! line, a file whose lines end in lone `\r`, and deep bracket nesting, in the file
//! kinds that read them differently (Python, Markdown, JSON, YAML).
//!
//! Each case analyses the shape at a size and at four times that size, in this
//! process (no start-up in the figures), best of three, and fails when the larger
//! input takes more than ten times as long: a linear cost gives about 4, a quadratic
//! one 16. These are growth checks, not speed targets (those are benchmarks). Time is
//! the thread's CPU time where the platform gives it (so that other work on a busy
//! machine, which preempts the larger run more often, does not skew the ratio), else
//! wall time.

mod blob;
mod clock;
use clock::thread_clock;
use std::time::Duration;

use fineprint::check::analyse;
use fineprint::detect::FileKind;
use fineprint::kb::KnowledgeBase;
use fineprint::policy::Policy;

/// Input sizes compared (bytes): the second is four times the first.
const SMALL: usize = 96 * 1024;
const RATIO_LIMIT: f64 = 10.0;

/// A deterministic stream of base64 characters (no randomness: the same bytes every run).
fn base64(n: usize) -> String {
    blob::base64(n, 0x9e37_79b9_7f4a_7c15)
}

/// Builds about `n` bytes of a shape for a file of a kind.
type Builder = fn(usize, FileKind) -> String;

/// The shapes, as (name, builder).
fn shapes() -> Vec<(&'static str, Builder)> {
    vec![
        ("one base64 line", |n, kind| match kind {
            FileKind::Json => format!("{{\"data\": \"{}\"}}\n", base64(n)),
            FileKind::Yaml => format!("data: {}\n", base64(n)),
            FileKind::Markdown => format!("{}\n", base64(n)),
            _ => format!("blob = \"{}\"\n", base64(n)),
        }),
        ("one line of word/other tokens", |n, kind| {
            let words: Vec<String> = (0..n / 14).map(|i| format!("w{i}/other{i}")).collect();
            let line = words.join(" ");
            match kind {
                FileKind::Json => format!("{{\"text\": \"{line}\"}}\n"),
                FileKind::Yaml => format!("text: {line}\n"),
                FileKind::Markdown => format!("{line}\n"),
                _ => format!("text = \"{line}\"\n"),
            }
        }),
        ("model ids on one line", |n, kind| {
            let ids = vec!["\"meta-llama/Llama-3.1-8B\""; n / 27].join(", ");
            match kind {
                FileKind::Json => format!("{{\"models\": [{ids}]}}\n"),
                FileKind::Yaml => format!("models: [{ids}]\n"),
                FileKind::Markdown => format!("Models: {ids}\n"),
                _ => format!("models = [{ids}]\n"),
            }
        }),
        ("lone carriage returns", |n, kind| {
            let line = match kind {
                FileKind::Json => "{\"model\": \"meta-llama/Llama-3.1-8B\"}\r",
                FileKind::Yaml => "model: meta-llama/Llama-3.1-8B\r",
                FileKind::Markdown => "Use `meta-llama/Llama-3.1-8B` here.\r",
                _ => "model = \"meta-llama/Llama-3.1-8B\"\r",
            };
            line.repeat(n / line.len())
        }),
        ("deep nesting", |n, kind| {
            let depth = n / 2;
            let (open, close) = match kind {
                FileKind::Json | FileKind::Python => ("[", "]"),
                _ => ("{", "}"),
            };
            format!(
                "x = {}\"meta-llama/Llama-3.1-8B\"{}\n",
                open.repeat(depth),
                close.repeat(depth)
            )
        }),
    ]
}

/// The best of three analyses of `text`.
fn best_time(text: &str, kind: FileKind, kb: &KnowledgeBase, policy: &Policy) -> Duration {
    (0..3)
        .map(|_| {
            let t = thread_clock();
            let found = analyse(text, kind, kb, policy, "2026-12-06");
            std::hint::black_box(found.len());
            thread_clock().saturating_sub(t)
        })
        .min()
        .unwrap_or_default()
}

#[test]
fn adversarial_shapes_take_time_linear_in_their_size() {
    let kb = KnowledgeBase::builtin().unwrap_or_else(|e| panic!("{e}"));
    let policy = Policy::default();
    let kinds = [
        FileKind::Python,
        FileKind::Markdown,
        FileKind::Json,
        FileKind::Yaml,
    ];
    let mut failures = Vec::new();
    for (name, build) in shapes() {
        for kind in kinds {
            let small = build(SMALL, kind);
            let large = build(4 * SMALL, kind);
            let t_small = best_time(&small, kind, &kb, &policy);
            let t_large = best_time(&large, kind, &kb, &policy);
            // Below a millisecond the clock, not the input, decides the ratio.
            let ratio = t_large.as_secs_f64() / t_small.as_secs_f64().max(1e-3);
            if ratio > RATIO_LIMIT {
                failures.push(format!(
                    "{name} ({kind:?}): {} KiB in {t_small:?}, {} KiB in {t_large:?} (x{ratio:.1})",
                    small.len() / 1024,
                    large.len() / 1024
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "time grows faster than the input (x4 input):\n{}",
        failures.join("\n")
    );
}
