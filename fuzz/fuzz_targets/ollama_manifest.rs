//! The Ollama manifest path of an arbitrary model name
//! (`evidence::ollama::manifest_path`): a path is either refused or lies inside
//! `ROOT/manifests/` with only plain components (no `..`, no `.`, no root, no prefix),
//! at least host, namespace, model and tag.
#![no_main]

use std::path::{Component, Path};

use fineprint::evidence::ollama::manifest_path;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let name = String::from_utf8_lossy(data);
    for root in [
        Path::new("/store/models"),
        Path::new("models"),
        Path::new(""),
    ] {
        let Some(p) = manifest_path(root, &name) else {
            continue;
        };
        let rest = p
            .strip_prefix(root.join("manifests"))
            .unwrap_or_else(|_| panic!("{name:?} -> {p:?}: outside {root:?}/manifests"));
        let parts: Vec<_> = rest.components().collect();
        assert!(parts.len() >= 4, "{name:?} -> {p:?}: too few parts");
        for c in &parts {
            let Component::Normal(s) = c else {
                panic!("{name:?} -> {p:?}: component {c:?}");
            };
            assert!(*s != ".." && *s != ".", "{name:?} -> {p:?}");
        }
        // Nothing was dropped or normalised away: the parts are the ones joined.
        assert_eq!(
            rest.as_os_str().len(),
            parts.iter().map(|c| c.as_os_str().len() + 1).sum::<usize>() - 1,
            "{name:?} -> {p:?}"
        );
    }
});
