//! Golden files under `tests/golden/`: compared byte for byte, rewritten when
//! `FINEPRINT_BLESS` is set. Shared by the report tests (`golden`, `reports`, `spdx`).

use std::path::Path;

/// Compares `actual` with `tests/golden/NAME` (from the repository root `root`), or
/// writes it there under `FINEPRINT_BLESS`. On a difference, panics with the first
/// line that differs and `review` (what to look at, and the command that blesses).
pub fn compare(root: &Path, name: &str, actual: &str, review: &str) {
    let path = root.join("tests/golden").join(name);
    if std::env::var_os("FINEPRINT_BLESS").is_some() {
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("tests/golden/{name}: {e} (bless with FINEPRINT_BLESS=1)"));
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from tests/golden/{name} at line {}:\n  expected: {:?}\n  actual:   {:?}\n{review}",
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}
