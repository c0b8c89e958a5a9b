#!/usr/bin/env python3
"""Score fineprint on the real-world development corpus (tests/realworld/).

Runs `BINARY check TREE --all --format json` on every extracted tree of
tests/realworld/repos.tsv, matches the reported references to the hand labels of
tests/realworld/labels.tsv and prints recall, precision, license accuracy and the
breakdowns by kind of reference and by kind of file. See tests/realworld/README.md.

Usage: scripts/realworld_score.py [--binary PATH] [--corpus DIR] [--json] [--list]
                                  [--save-reports DIR] [--reports DIR]
Exit status: 0 (also when trees are missing: they are named, with how to extract them).
"""
import argparse
import collections
import hashlib
import json
import os
import re
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RW = os.path.join(ROOT, 'tests', 'realworld')

MODEL, PLACEHOLDER, NOT_MODEL, ALIAS = 'model', 'placeholder', 'not-model', 'alias'


# ---------------------------------------------------------------- inputs

def read_repos(path):
    out = []
    for line in open(path, encoding='utf-8'):
        if not line.strip() or line.startswith('#'):
            continue
        repo, commit, kind, mirror = line.rstrip('\n').split('\t')
        out.append(dict(repo=repo, commit=commit, kind=kind, mirror=mirror))
    return out


def read_sample(path):
    seed, thr = None, {}
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if line.startswith('# seed\t'):
            seed = line.split('\t', 1)[1]
        if not line or line.startswith('#'):
            continue
        repo, before, t = line.split('\t')
        thr[repo] = float(t)
    return seed, thr


def read_labels(path):
    rows = []
    with open(path, encoding='utf-8') as f:
        header = f.readline().rstrip('\n').split('\t')
        for n, line in enumerate(f, 2):
            if not line.strip():
                continue
            v = line.rstrip('\n').split('\t')
            r = dict(zip(header, v))
            r['line'], r['column'] = int(r['line']), int(r['column'])
            r['row'] = n
            rows.append(r)
    return rows


def in_sample(seed, thr, repo, path, line, literal):
    s = f"{seed}\t{repo}\t{path}\t{line}\t{literal}".encode()
    return int(hashlib.sha256(s).hexdigest()[:15], 16) / float(16 ** 15) < thr.get(repo, 1.0)


# ---------------------------------------------------------------- classification

def file_kind(path):
    base = os.path.basename(path)
    ext = os.path.splitext(base)[1].lower()
    if ext in ('.py', '.pyi'):
        return 'py'
    if ext == '.ipynb':
        return 'ipynb'
    if ext in ('.md', '.markdown', '.mdx'):
        return 'md'
    if ext in ('.yaml', '.yml'):
        return 'yaml'
    if ext in ('.json', '.jsonc', '.json5'):
        return 'json'
    if ext in ('.js', '.mjs', '.cjs', '.jsx', '.ts', '.mts', '.cts', '.tsx'):
        return 'js/ts'
    if ext == '.rs':
        return 'rs'
    if ext == '.go':
        return 'go'
    if ext == '.toml':
        return 'toml'
    if ext in ('.sh', '.bash', '.zsh', '.mk') or base in ('Makefile', 'makefile', 'GNUmakefile'):
        return 'shell'
    if base.startswith('Dockerfile') or ext == '.dockerfile' or base == 'Containerfile':
        return 'dockerfile'
    if base.startswith('.env') or ext == '.env':
        return 'env'
    if base.startswith('Modelfile') or ext == '.modelfile':
        return 'modelfile'
    return 'other (' + (ext or base) + ')'


def label_kind(r):
    """Kind of reference of a labelled literal, in fineprint's vocabulary where it has one."""
    lit = r['literal']
    low = lit.lower()
    lic = r.get('license', '')
    if low.endswith('.gguf'):
        return 'gguf'
    if re.search(r'\.(safetensors|ckpt|pth|pt|onnx|bin)$', low) and not low.startswith('http'):
        return 'file'
    if re.match(r'https?://(huggingface\.co|hf\.co)/', low) or low.startswith('hf.co/'):
        return 'hf'
    if lic.startswith('proprietary-') or re.search(r'-api$', lic) or lic == 'other:amazon-bedrock':
        return 'api'
    if re.fullmatch(r'[\w.-]+:[\w.-]+', lit):
        return 'ollama'
    if '/' in lit:
        return 'hf'
    return 'bare name'


# ---------------------------------------------------------------- running

def run_binary(binary, tree):
    env = dict(os.environ, FINEPRINT_NO_EVIDENCE='1')
    # Run inside the tree, so that paths are relative to it (as labelled) with builds
    # that print paths relative to the folder checked and with builds that print them
    # as the walk reached them.
    p = subprocess.run([os.path.abspath(binary), 'check', '.', '--all', '--format', 'json'],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tree)
    try:
        return json.loads(p.stdout.decode('utf-8'))
    except ValueError:
        raise SystemExit(f"{binary} gave no JSON report for {tree} (exit {p.returncode}): "
                         f"{p.stderr.decode('utf-8', 'replace')[:500]}")


def match_repo(repo, refs, labels, seed, thr):
    """Returns (pairs, unlabelled_in_sample, outside_sample); pairs = [(ref, label)]."""
    by_key = collections.defaultdict(list)
    by_line = collections.defaultdict(list)
    for lab in labels:
        by_key[(lab['path'], lab['line'], lab['literal'])].append(lab)
        by_line[(lab['path'], lab['line'])].append(lab)
    used = set()
    pairs, unlabelled, outside = [], [], []
    for ref in refs:
        cands = [l for l in by_key.get((ref['path'], ref['line'], ref['text']), []) if l['row'] not in used]
        if len(cands) > 1:
            cands.sort(key=lambda l: abs(l['column'] - ref['column']))
        if not cands:
            # same line, overlapping span (a reference reported with a longer or shorter span)
            a, b = ref['column'], ref.get('end_column') or ref['column'] + len(ref['text'])
            if ref.get('end_line', ref['line']) != ref['line']:
                b = 10 ** 9
            cands = [l for l in by_line.get((ref['path'], ref['line']), [])
                     if l['row'] not in used and l['column'] < b and l['column'] + len(l['literal']) > a]
        if cands:
            lab = cands[0]
            used.add(lab['row'])
            pairs.append((ref, lab))
        elif in_sample(seed, thr, repo, ref['path'], ref['line'], ref['text']):
            unlabelled.append(ref)
        else:
            outside.append(ref)
    return pairs, unlabelled, outside


def pct(n, d):
    return None if d == 0 else round(100.0 * n / d, 1)


def fmt(n, d):
    p = pct(n, d)
    return f"{n}/{d}" + ("" if p is None else f" = {p}%")


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--binary', default=os.path.join(ROOT, 'target', 'release', 'fineprint'))
    ap.add_argument('--corpus', default=os.environ.get('CORPUS_DIR', '/work/corpus'))
    ap.add_argument('--labels', default=os.path.join(RW, 'labels.tsv'))
    ap.add_argument('--repos', default=os.path.join(RW, 'repos.tsv'))
    ap.add_argument('--sample', default=os.path.join(RW, 'sample.tsv'))
    ap.add_argument('--json', action='store_true', help='machine-readable output')
    ap.add_argument('--list', action='store_true', help='also list every miss and false positive')
    ap.add_argument('--save-reports', metavar='DIR', help='keep each JSON report as DIR/<owner>+<name>.json')
    ap.add_argument('--reports', metavar='DIR', help='read saved reports instead of running the binary')
    a = ap.parse_args()

    repos = read_repos(a.repos)
    seed, thr = read_sample(a.sample)
    labels = read_labels(a.labels)
    labels_by_repo = collections.defaultdict(list)
    for l in labels:
        labels_by_repo[l['repo']].append(l)

    missing, per_repo = [], []
    all_pairs, all_unlabelled, all_outside, scored_labels = [], [], [], []
    for r in repos:
        name = r['repo'].replace('/', '+')
        tree = os.path.join(a.corpus, name)
        if a.reports:
            rp = os.path.join(a.reports, name + '.json')
            if not os.path.exists(rp):
                missing.append((r['repo'], rp))
                continue
            report = json.load(open(rp, encoding='utf-8'))
        else:
            if not os.path.isdir(tree):
                missing.append((r['repo'], tree))
                continue
            report = run_binary(a.binary, tree)
            if a.save_reports:
                os.makedirs(a.save_reports, exist_ok=True)
                json.dump(report, open(os.path.join(a.save_reports, name + '.json'), 'w'))
        refs = report.get('references', [])
        labs = labels_by_repo.get(r['repo'], [])
        pairs, unl, outs = match_repo(r['repo'], refs, labs, seed, thr)
        for ref, lab in pairs:
            ref['_repo'] = r['repo']
        for ref in unl + outs:
            ref['_repo'] = r['repo']
        all_pairs += pairs
        all_unlabelled += unl
        all_outside += outs
        scored_labels += labs
        found = {lab['row'] for _, lab in pairs}
        models = [l for l in labs if l['label'] == MODEL]
        per_repo.append(dict(
            repo=r['repo'], kind=r['kind'], reported=len(refs),
            labelled_reported=len(pairs), unlabelled_in_sample=len(unl), outside_sample=len(outs),
            models=len(models), models_found=sum(1 for l in models if l['row'] in found),
            reported_models=sum(1 for _, l in pairs if l['label'] == MODEL)))

    found_rows = {lab['row'] for _, lab in all_pairs}
    models = [l for l in scored_labels if l['label'] == MODEL]
    readable = [l for l in models if not re.search(r'file kind not read', l.get('note', ''))]
    tp = [(ref, lab) for ref, lab in all_pairs if lab['label'] == MODEL]
    fp = [(ref, lab) for ref, lab in all_pairs if lab['label'] != MODEL]

    lic_known = [(ref, lab) for ref, lab in tp if lab['license'] not in ('unknown', '-', '')]
    lic_ok = [(ref, lab) for ref, lab in lic_known if (ref.get('license') or 'unknown') == lab['license']]
    lic_fp_ids = [(ref, lab) for ref, lab in lic_known if not lab['license'].startswith('other:')]
    lic_fp_ok = [p for p in lic_fp_ids if (p[0].get('license') or 'unknown') == p[1]['license']]
    lic_said_unknown = [p for p in lic_known if not p[0].get('license')]
    unknown_on_non_models = [(ref, lab) for ref, lab in fp if not ref.get('license')]
    # Of those, the ones a user is warned about (unknown weights files are information).
    unknown_warnings_on_non_models = [
        (ref, lab) for ref, lab in unknown_on_non_models
        if any(d.get('code') == 'unknown-license' and d.get('severity') in ('warning', 'error')
               for d in ref.get('diagnostics') or [])]

    def breakdown(keyf_label, keyf_ref):
        d = collections.OrderedDict()
        for l in models:
            k = keyf_label(l)
            d.setdefault(k, dict(models=0, found=0, reported=0, reported_models=0))
            d[k]['models'] += 1
            d[k]['found'] += l['row'] in found_rows
        for ref, lab in all_pairs:
            k = keyf_ref(ref, lab)
            d.setdefault(k, dict(models=0, found=0, reported=0, reported_models=0))
            d[k]['reported'] += 1
            d[k]['reported_models'] += lab['label'] == MODEL
        for v in d.values():
            v['recall'] = pct(v['found'], v['models'])
            v['precision'] = pct(v['reported_models'], v['reported'])
        return dict(sorted(d.items(), key=lambda kv: -(kv[1]['models'] + kv[1]['reported'])))

    by_ref_kind = breakdown(label_kind, lambda ref, lab: ref.get('kind', '?'))
    by_file_kind = breakdown(lambda l: file_kind(l['path']), lambda ref, lab: file_kind(ref['path']))
    fp_by_label = collections.Counter(lab['label'] for _, lab in fp)

    result = dict(
        binary=None if a.reports else a.binary, corpus=a.corpus,
        repos_scored=len(per_repo), repos_missing=[m[0] for m in missing],
        recall=dict(found=sum(1 for l in models if l['row'] in found_rows), models=len(models),
                    percent=pct(sum(1 for l in models if l['row'] in found_rows), len(models))),
        recall_in_files_read=dict(found=sum(1 for l in readable if l['row'] in found_rows), models=len(readable),
                                  percent=pct(sum(1 for l in readable if l['row'] in found_rows), len(readable))),
        precision=dict(models=len(tp), labelled_reported=len(all_pairs), percent=pct(len(tp), len(all_pairs)),
                       false_positives_by_label=dict(fp_by_label)),
        unlabelled_in_sample=len(all_unlabelled), outside_sample=len(all_outside),
        license_accuracy=dict(correct=len(lic_ok), known=len(lic_known), percent=pct(len(lic_ok), len(lic_known)),
                              said_unknown=len(lic_said_unknown),
                              on_fineprint_ids=dict(correct=len(lic_fp_ok), known=len(lic_fp_ids),
                                                    percent=pct(len(lic_fp_ok), len(lic_fp_ids)))),
        unknown_license_on_non_models=len(unknown_on_non_models),
        unknown_license_warnings_on_non_models=len(unknown_warnings_on_non_models),
        by_reference_kind=by_ref_kind, by_file_kind=by_file_kind, per_repo=per_repo,
        new_unlabelled=[dict(repo=r['_repo'], path=r['path'], line=r['line'], column=r['column'], text=r['text'],
                             kind=r.get('kind'), license=r.get('license')) for r in all_unlabelled],
    )
    if a.list or a.json:
        result['misses'] = [dict(repo=l['repo'], path=l['path'], line=l['line'], column=l['column'],
                                 literal=l['literal'], license=l['license'], note=l.get('note', ''))
                            for l in models if l['row'] not in found_rows]
        result['false_positives'] = [dict(repo=lab['repo'], path=lab['path'], line=lab['line'], text=ref['text'],
                                          label=lab['label'], kind=ref.get('kind'), license=ref.get('license'),
                                          note=lab.get('note', '')) for ref, lab in fp]
        result['license_errors'] = [dict(repo=lab['repo'], path=lab['path'], line=lab['line'], text=ref['text'],
                                         expected=lab['license'], reported=ref.get('license'))
                                    for ref, lab in lic_known if (ref.get('license') or 'unknown') != lab['license']]

    if a.json:
        json.dump(result, sys.stdout, indent=1)
        print()
        return 0

    out = []
    w = out.append
    w(f"fineprint on the real-world corpus ({len(per_repo)} of {len(repos)} repositories)")
    if missing:
        w("")
        w("MISSING trees (not scored):")
        for repo, p in missing:
            w(f"  {repo}: {p} not found")
        w("  extract them with: scripts/realworld_extract.sh " + a.corpus +
          "   (needs each repository's git directory, see tests/realworld/README.md)")
    w("")
    rc = result['recall']
    w(f"recall      {fmt(rc['found'], rc['models'])}   (labelled models reported)")
    rr = result['recall_in_files_read']
    w(f"            {fmt(rr['found'], rr['models'])}   (leaving out files fineprint does not read)")
    pr = result['precision']
    w(f"precision   {fmt(pr['models'], pr['labelled_reported'])}   (labelled reported references that are models)")
    w(f"            false positives: " + ', '.join(f"{k} {v}" for k, v in fp_by_label.most_common()))
    la = result['license_accuracy']
    w(f"licenses    {fmt(la['correct'], la['known'])}   (reported license == labelled license, models with a known license)")
    w(f"            {fmt(la['on_fineprint_ids']['correct'], la['on_fineprint_ids']['known'])}   "
      f"(only licenses that have a fineprint id); reported as unknown: {la['said_unknown']}")
    w(f"unknown-license reports on non-models: {len(unknown_on_non_models)}"
      f" (as warnings: {len(unknown_warnings_on_non_models)}; the rest information)")
    w(f"new, unlabelled reported references (in the sample): {len(all_unlabelled)}"
      f"; outside the sample: {len(all_outside)}")
    for title, d in (("by kind of reference", by_ref_kind), ("by kind of file", by_file_kind)):
        w("")
        w(f"{title:22} {'models':>7} {'found':>6} {'recall':>7}   {'reported':>8} {'models':>6} {'precision':>9}")
        for k, v in d.items():
            rec = '' if v['recall'] is None else f"{v['recall']}%"
            prec = '' if v['precision'] is None else f"{v['precision']}%"
            w(f"  {k:20} {v['models']:7} {v['found']:6} {rec:>7}   {v['reported']:8} {v['reported_models']:6} {prec:>9}")
    w("")
    w(f"{'per repository':40} {'reported':>8} {'labelled':>8} {'models':>6} {'found':>6} {'new':>4}")
    for p in per_repo:
        w(f"  {p['repo']:38} {p['reported']:8} {p['labelled_reported']:8} {p['models']:6} {p['models_found']:6} "
          f"{p['unlabelled_in_sample']:4}")
    if all_unlabelled:
        w("")
        w("new, unlabelled (label them in tests/realworld/labels.tsv):")
        for r in all_unlabelled:
            w(f"  {r['_repo']}  {r['path']}:{r['line']}:{r['column']}  {r['text']}  [{r.get('kind')}, {r.get('license')}]")
    if a.list:
        w("")
        w("misses:")
        for m in result['misses']:
            w(f"  {m['repo']}  {m['path']}:{m['line']}:{m['column']}  {m['literal']}  ({m['license']}) {m['note']}")
        w("")
        w("false positives:")
        for f in result['false_positives']:
            w(f"  {f['repo']}  {f['path']}:{f['line']}  {f['text']}  [{f['label']}; {f['kind']}, {f['license']}] {f['note']}")
        w("")
        w("license errors:")
        for e in result['license_errors']:
            w(f"  {e['repo']}  {e['path']}:{e['line']}  {e['text']}  expected {e['expected']}, reported {e['reported']}")
    print('\n'.join(out))
    return 0


if __name__ == '__main__':
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet when piped into head
    sys.exit(main())
