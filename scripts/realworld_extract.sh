#!/usr/bin/env bash
# Extract the real-world development corpus (tests/realworld/repos.tsv) into
# CORPUS_DIR/<owner>+<name>/ (default /work/corpus), each at its pinned commit.
# It fetches nothing: each repository must already be a local bare git directory
# (the 4th column of repos.tsv, or MIRROR_ROOT/<owner>+<name>/repo). Trees already
# present are skipped. Nothing extracted belongs in this repository.
#
# usage: scripts/realworld_extract.sh [CORPUS_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
list="$here/tests/realworld/repos.tsv"
corpus="${1:-${CORPUS_DIR:-/work/corpus}}"
mirror_root="${MIRROR_ROOT:-/work/.mirror}"
mkdir -p "$corpus"
status=0
# The tree's git index (DIR/.git/index), written from the pinned commit's tree, so that a
# check of the tree sees what git tracks, as in a clone (files a .gitignore matches but
# git tracks are read).
ensure_index() {  # DIR GITDIR COMMIT
  [ -f "$1/.git/index" ] && return 0
  mkdir -p "$1/.git"
  GIT_INDEX_FILE="$1/.git/index" git --git-dir="$2" read-tree "$3"
}
while IFS=$'\t' read -r repo commit kind mirror; do
  case "$repo" in ''|'#'*) continue ;; esac
  dir="$corpus/${repo/\//+}"
  gitdir="$mirror"
  [ -d "$gitdir" ] || gitdir="$mirror_root/${repo/\//+}/repo"
  if [ -d "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
    echo "skip  $repo (present: $dir)"
    [ -d "$gitdir" ] && { ensure_index "$dir" "$gitdir" "$commit" || status=1; }
    continue
  fi
  if [ ! -d "$gitdir" ]; then
    echo "MISSING $repo: no git directory at $mirror or $gitdir (bring a snapshot of $repo there first)" >&2
    status=1
    continue
  fi
  if ! git --git-dir="$gitdir" cat-file -e "$commit^{commit}" 2>/dev/null; then
    echo "MISSING $repo: commit $commit is not in $gitdir" >&2
    status=1
    continue
  fi
  mkdir -p "$dir"
  if git --git-dir="$gitdir" archive "$commit" 2>/dev/null | tar -x -C "$dir" 2>/dev/null; then
    echo "done  $repo -> $dir ($kind)"
  else
    # A snapshot may lack its largest blobs (files of several MiB, LFS content), and
    # then `git archive` stops. Fall back to writing the tree file by file, leaving
    # out the blobs that are absent (listed in $dir.missing).
    rm -rf "$dir"; mkdir -p "$dir"; : > "$dir.missing"
    git --git-dir="$gitdir" ls-tree -r -z "$commit" |
    while IFS= read -r -d '' entry; do
      meta="${entry%%$'\t'*}"; path="${entry#*$'\t'}"
      read -r mode type sha <<< "$meta"
      [ "$type" = blob ] || continue
      mkdir -p "$dir/$(dirname "$path")"
      if [ "$mode" = 120000 ]; then
        ln -s "$(git --git-dir="$gitdir" cat-file blob "$sha" 2>/dev/null)" "$dir/$path" 2>/dev/null || true
      elif ! git --git-dir="$gitdir" cat-file blob "$sha" > "$dir/$path" 2>/dev/null; then
        rm -f "$dir/$path"; echo "$path" >> "$dir.missing"
      fi
    done
    echo "done  $repo -> $dir ($kind; $(wc -l < "$dir.missing") absent blob(s) listed in $dir.missing)"
  fi
  ensure_index "$dir" "$gitdir" "$commit" || status=1
done < "$list"
exit $status
