//! Memory and output in proportion to what is reported, not to the lines it sits on:
//! the real binary on 4,000 model ids in one 108 KB line, in each format, stays under
//! a peak resident size and an output size, and a secret-looking token elsewhere on
//! the line of a reference is in no output.
//!
//! The peak resident size is the child's `VmHWM` (a high-water mark) read from
//! `/proc/<pid>/status` every few milliseconds while it runs; a child over the budget
//! is stopped at once (before the fix it reached 2.2 GB in CycloneDX).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Peak resident size allowed, in KiB.
const RSS_BUDGET_KIB: u64 = 150 * 1024;

/// One line holding `n` model ids.
fn one_line(n: usize) -> String {
    let ids = vec!["\"meta-llama/Llama-3.1-8B\""; n].join(", ");
    format!("models = [{ids}]\n")
}

/// `VmHWM` of a running process, in KiB (`None` once it is gone).
fn high_water_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs `fineprint check . --format <format>` in `dir`; returns its output and its
/// peak resident size in KiB, or panics when the peak passes the budget.
fn run_measured(dir: &Path, format: &str) -> (Vec<u8>, u64) {
    let out_path = dir.join(format!("out.{format}"));
    let out = std::fs::File::create(&out_path).expect("output file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_fineprint"))
        .args(["check", "in", "--format", format])
        .current_dir(dir)
        .env("FINEPRINT_NO_EVIDENCE", "1")
        .env("NO_COLOR", "1")
        .env("FINEPRINT_TODAY", "2026-11-23")
        .stdout(Stdio::from(out))
        .stderr(Stdio::null())
        .spawn()
        .expect("run fineprint");
    let (mut peak, started) = (0, Instant::now());
    while child.try_wait().expect("wait").is_none() {
        peak = peak.max(high_water_kib(child.id()).unwrap_or(0));
        if peak > RSS_BUDGET_KIB || started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{format}: peak resident size {} MiB (budget {} MiB) after {:?}",
                peak / 1024,
                RSS_BUDGET_KIB / 1024,
                started.elapsed()
            );
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    (std::fs::read(&out_path).expect("read output"), peak)
}

#[test]
#[cfg(target_os = "linux")]
fn one_long_line_of_references_stays_in_budget() {
    let d = tempfile::tempdir().expect("tmp");
    std::fs::create_dir(d.path().join("in")).expect("mkdir");
    std::fs::write(d.path().join("in/models.py"), one_line(4000)).expect("write");
    // (format, largest output in bytes)
    let cases: &[(&str, usize)] = &[
        ("human", 10_000_000),
        ("json", 16_000_000),
        ("sarif", 20_000_000),
        ("cyclonedx", 10_000_000),
    ];
    for (format, max_out) in cases {
        let (out, peak) = run_measured(d.path(), format);
        assert!(
            out.len() < *max_out,
            "{format}: {} bytes of output (at most {max_out})",
            out.len()
        );
        assert!(peak < RSS_BUDGET_KIB, "{format}: peak {peak} KiB");
        let refs = String::from_utf8_lossy(&out)
            .matches("meta-llama/Llama-3.1-8B")
            .count();
        assert!(refs >= 4000, "{format}: {refs} mentions of the id");
    }
}

#[test]
fn a_secret_elsewhere_on_the_line_is_in_no_output() {
    let secret = "AKIASECRETTOKEN1234567890ZZZ";
    let d = tempfile::tempdir().expect("tmp");
    std::fs::create_dir(d.path().join("in")).expect("mkdir");
    // (file, its text): the token 500 characters after the reference, or before it.
    let pad = "x".repeat(500);
    let files = [
        (
            "after.py",
            format!("m = \"meta-llama/Llama-3.1-8B\"; {pad} key = \"{secret}\"\n"),
        ),
        (
            "before.py",
            format!("key = \"{secret}\"; {pad} m = \"meta-llama/Llama-3.1-8B\"\n"),
        ),
        (
            "wide.py",
            format!(
                "key = \"{secret}\"; {} m = \"meta-llama/Llama-3.1-8B\"\n",
                "日本".repeat(250)
            ),
        ),
    ];
    for (name, text) in &files {
        std::fs::write(d.path().join("in").join(name), text).expect("write");
    }
    for format in ["human", "json", "sarif", "cyclonedx"] {
        let (out, _) = run_measured(d.path(), format);
        let out = String::from_utf8(out).expect("UTF-8 output");
        assert!(
            out.matches("meta-llama/Llama-3.1-8B").count() >= files.len(),
            "{format}: the references are reported:\n{out}"
        );
        assert!(!out.contains(secret), "{format} shows the token:\n{out}");
    }
}
