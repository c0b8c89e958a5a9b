//! Engine throughput: detection per file kind and per reference density, and the
//! incremental re-scan of an edit, with criterion.
//!
//! Run: `cargo bench -p fineprint --bench engine`. Figures go to docs/performance.md.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use fineprint::detect::{FileKind, detect};
use fineprint::document::Document;
use fineprint::kb::KnowledgeBase;

/// About `bytes` of text of a kind, with one model reference every `every` lines.
fn text(kind: FileKind, bytes: usize, every: usize) -> String {
    let ids = [
        "meta-llama/Llama-3.1-8B-Instruct",
        "Qwen/Qwen2.5-7B-Instruct",
        "black-forest-labs/FLUX.1-dev",
        "gpt-4o-mini",
        "acme-ai/bot-7b",
    ];
    let mut s = String::with_capacity(bytes + 256);
    let mut i = 0usize;
    while s.len() < bytes {
        let id = ids[(i / every.max(1)) % ids.len()];
        let line = match (kind, i.is_multiple_of(every.max(1))) {
            (FileKind::Python, true) => {
                format!("model_{i} = AutoModel.from_pretrained(\"{id}\")\n")
            }
            (FileKind::Python, false) => {
                format!("    result_{i} = compute(values[{i}], scale=0.5)  # step {i}\n")
            }
            (FileKind::Yaml, true) => format!("  base_model: {id}\n"),
            (FileKind::Yaml, false) => format!("  learning_rate_{i}: 0.0002  # warmup steps {i}\n"),
            (FileKind::Markdown, true) => format!("We fine-tune `{id}` on the support tickets.\n"),
            (_, true) => format!("const model{i} = \"{id}\";\n"),
            (FileKind::Markdown, _) => format!(
                "The evaluation in section {i} compares the baseline with the tuned model on held-out data.\n"
            ),
            (_, false) => {
                format!("const value{i} = compute(items[{i}], {{ scale: 0.5 }}); // step {i}\n")
            }
        };
        s.push_str(&line);
        i += 1;
    }
    s
}

fn bench_detect(c: &mut Criterion) {
    let kb = KnowledgeBase::builtin().expect("rules load");
    let mut g = c.benchmark_group("detect");
    for kind in [
        FileKind::Python,
        FileKind::Yaml,
        FileKind::JavaScript,
        FileKind::Markdown,
    ] {
        for every in [10usize, 1000] {
            let t = text(kind, 1 << 20, every);
            g.throughput(Throughput::Bytes(t.len() as u64));
            g.bench_with_input(
                BenchmarkId::new(kind.as_str(), format!("1MB, 1 ref per {every} lines")),
                &t,
                |b, t| b.iter(|| detect(t, kind, &kb)),
            );
        }
    }
    g.finish();
}

fn bench_edit(c: &mut Criterion) {
    let kb = KnowledgeBase::builtin().expect("rules load");
    let mut g = c.benchmark_group("edit");
    for mb in [1usize, 10, 50] {
        let t = text(FileKind::Python, mb << 20, 2000);
        let mut doc = Document::new(t, Some(FileKind::Python), &kb);
        let mid = doc.text.len() / 2;
        let at = doc.text[mid..].find('\n').map_or(mid, |i| mid + i + 5);
        g.bench_function(
            BenchmarkId::new("insert and delete one character", format!("{mb} MB")),
            |b| {
                b.iter(|| {
                    doc.edit(at..at, "x", &kb);
                    doc.edit(at..at + 1, "", &kb);
                });
            },
        );
    }
    g.finish();
}

criterion_group!(benches, bench_detect, bench_edit);
criterion_main!(benches);
