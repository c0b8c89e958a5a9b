//! Embeds every `*.toml` and `*.tsv` under `../rules` into the binary, so that `fineprint` is
//! self-contained. The generated file is a sorted list of (relative path, contents), and a
//! snapshot of each TOML file as JSON: reading JSON at start-up costs a fraction of parsing
//! TOML. A file that does not parse, or holds a TOML date-time (JSON has none), gets no
//! snapshot: the binary then parses its TOML text at start-up and reports the problem
//! with its line, as for a user's rules folder. The snapshot is only ever a faster
//! reading of the same text, never a second source of facts.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "toml" || e == "tsv") {
            out.push(path);
        }
    }
    Ok(())
}

/// The same tree as JSON, or `None` for a TOML date-time (which has no JSON form).
fn to_json(value: &toml::Value) -> Option<serde_json::Value> {
    Some(match value {
        toml::Value::String(s) => serde_json::Value::String(s.clone()),
        toml::Value::Integer(i) => serde_json::Value::from(*i),
        toml::Value::Float(f) => serde_json::Value::from(*f),
        toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
        toml::Value::Datetime(_) => return None,
        toml::Value::Array(items) => {
            serde_json::Value::Array(items.iter().map(to_json).collect::<Option<_>>()?)
        }
        toml::Value::Table(table) => serde_json::Value::Object(
            table
                .iter()
                .map(|(k, v)| Some((k.clone(), to_json(v)?)))
                .collect::<Option<_>>()?,
        ),
    })
}

/// The JSON snapshot of a TOML text, when it parses and converts.
fn snapshot(text: &str) -> Option<String> {
    let value: toml::Value = toml::from_str(text).ok()?;
    serde_json::to_string(&to_json(&value)?).ok()
}

fn main() {
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let rules = manifest.join("..").join("rules");
    println!("cargo:rerun-if-changed={}", rules.display());
    let mut files = Vec::new();
    collect(&rules, &mut files).expect("the rules/ folder beside server/ must be readable");
    files.sort();
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let snapshots = out_dir.join("rules_snapshot");
    std::fs::create_dir_all(&snapshots).expect("create the snapshot folder");
    let mut code = String::from(
        "/// Embedded knowledge base: (path relative to rules/, text).\npub static EMBEDDED: &[(&str, &str)] = &[\n",
    );
    let mut snap_code = String::from(
        "/// The JSON snapshot of each embedded TOML text, in the order of `EMBEDDED`.\npub static SNAPSHOTS: &[Option<&str>] = &[\n",
    );
    for (i, file) in files.iter().enumerate() {
        println!("cargo:rerun-if-changed={}", file.display());
        let rel = file.strip_prefix(&rules).expect("collected under rules/");
        let rel = rel.to_string_lossy().replace('\\', "/");
        let abs = file.canonicalize().expect("rules file exists");
        let text = std::fs::read_to_string(&abs).expect("rules file is UTF-8 text");
        let json = if rel.ends_with(".toml") {
            snapshot(&text)
        } else {
            None
        };
        let json = match json {
            Some(json) => {
                let path = snapshots.join(format!("{i}.json"));
                std::fs::write(&path, json).expect("write snapshot");
                format!("Some(include_str!({:?}))", path.display().to_string())
            }
            None => "None".to_string(),
        };
        writeln!(
            code,
            "    ({rel:?}, include_str!({:?})),",
            abs.display().to_string()
        )
        .expect("write to String");
        writeln!(snap_code, "    {json},").expect("write to String");
    }
    code.push_str("];\n");
    snap_code.push_str("];\n");
    code.push_str(&snap_code);
    let out = out_dir.join("rules_embedded.rs");
    std::fs::write(out, code).expect("write generated file");
}
