//! The documentation cannot fall behind the code: every finding code is documented.

use fineprint::findings::Code;

#[test]
fn every_code_is_documented() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/codes.md"))
        .expect("docs/codes.md");
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !doc.contains(&format!("| `{c}` |")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/codes.md lacks rows for {missing:?}"
    );
}

/// `docs/models.md` is generated from the rules; a rule change without regenerating it
/// fails here. `FINEPRINT_BLESS=1 cargo test --test docs` (or
/// `fineprint rules docs > docs/models.md`) regenerates it.
#[test]
fn models_md_is_fresh() {
    let kb = fineprint::kb::KnowledgeBase::builtin().expect("rules");
    let want = fineprint::kb::catalog::models_markdown(&kb);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/models.md");
    if std::env::var_os("FINEPRINT_BLESS").is_some() {
        std::fs::write(path, &want).expect("write docs/models.md");
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "docs/models.md is stale: run `cargo run -p fineprint -- rules docs > docs/models.md`"
    );
}
