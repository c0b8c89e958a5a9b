//! The knowledge base at scale: loading the built-in base (part of every start of
//! `fineprint check`), resolving ids that only a generated index knows, and the choice
//! of the exact-id structure (a hash map, against a sorted table searched by bisection)
//! on the generated ids themselves.
//!
//! Run: `cargo bench -p fineprint --bench knowledge`. Figures go to docs/performance.md.

use std::collections::HashMap;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use fineprint::kb::KnowledgeBase;
use fineprint::kb::generated::key_of;
use fineprint::resolve::resolve_str;

fn bench(c: &mut Criterion) {
    c.bench_function("load the built-in base", |b| {
        b.iter(|| KnowledgeBase::builtin().map(|kb| black_box(kb.families.len())))
    });
    let Ok(kb) = KnowledgeBase::builtin() else {
        return;
    };
    // Every tenth generated id, as a user would type it, and as many misses.
    let hits: Vec<String> = kb
        .generated
        .entries
        .iter()
        .step_by(10)
        .map(|e| e.id.clone())
        .collect();
    let misses: Vec<String> = hits.iter().map(|id| format!("{id}-nope")).collect();
    c.bench_function("resolve generated ids (every 10th)", |b| {
        b.iter(|| {
            hits.iter()
                .filter(|id| resolve_str(&kb, id).is_some_and(|r| r.resolution.is_some()))
                .count()
        })
    });
    c.bench_function("resolve unknown ids (as many)", |b| {
        b.iter(|| {
            misses
                .iter()
                .filter(|id| resolve_str(&kb, id).is_some_and(|r| r.resolution.is_some()))
                .count()
        })
    });

    // The structure: build and probe a hash map and a sorted table of the same keys.
    let keys: Vec<String> = kb
        .generated
        .entries
        .iter()
        .map(|e| key_of(&e.id, false))
        .collect();
    let probes: Vec<String> = keys
        .iter()
        .step_by(3)
        .cloned()
        .chain(misses.iter().map(|m| key_of(m, false)))
        .collect();
    let mut group = c.benchmark_group("exact-id structure");
    group.bench_function("hash map: build", |b| {
        b.iter(|| {
            keys.iter()
                .enumerate()
                .map(|(i, k)| (k.clone(), i))
                .collect::<HashMap<String, usize>>()
        })
    });
    group.bench_function("sorted table: build", |b| {
        b.iter(|| {
            let mut v: Vec<(String, usize)> = keys
                .iter()
                .enumerate()
                .map(|(i, k)| (k.clone(), i))
                .collect();
            v.sort_unstable();
            v
        })
    });
    let map: HashMap<String, usize> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.clone(), i))
        .collect();
    let mut table: Vec<(String, usize)> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.clone(), i))
        .collect();
    table.sort_unstable();
    group.bench_function("hash map: probe", |b| {
        b.iter(|| probes.iter().filter(|p| map.contains_key(*p)).count())
    });
    group.bench_function("sorted table: probe", |b| {
        b.iter(|| {
            probes
                .iter()
                .filter(|p| {
                    table
                        .binary_search_by(|(k, _)| k.as_str().cmp(p.as_str()))
                        .is_ok()
                })
                .count()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
