#!/usr/bin/env bash
# Writes LICENSE.md of the extension from the repository's LICENSE-MIT, LICENSE-APACHE and
# NOTICE (vsce packs a LICENSE file of the extension's own folder into the VSIX).
#   scripts/license.sh          rewrite LICENSE.md
#   scripts/license.sh --check  exit 1 when LICENSE.md differs from what it would write
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO=$(cd "$HERE/../.." && pwd)
render() {
  printf '# License\n\n'
  printf 'The fineprint extension, like the rest of fineprint, is licensed under the Apache\n'
  printf 'License, Version 2.0 or the MIT license, at your option (SPDX: MIT OR Apache-2.0).\n'
  printf 'Both texts follow, then the NOTICE with the licenses of the data fineprint imports.\n'
  printf 'Written by scripts/license.sh from the files at the root of the repository.\n\n'
  printf '## MIT\n\n```\n' && cat "$REPO/LICENSE-MIT" && printf '```\n\n'
  printf '## Apache-2.0\n\n```\n' && cat "$REPO/LICENSE-APACHE" && printf '```\n\n'
  printf '## NOTICE\n\n```\n' && cat "$REPO/NOTICE" && printf '```\n'
}
if [ "${1:-}" = --check ]; then
  if ! render | cmp -s - "$HERE/LICENSE.md"; then
    echo "editors/vscode/LICENSE.md is stale: run editors/vscode/scripts/license.sh" >&2
    exit 1
  fi
else
  render > "$HERE/LICENSE.md"
fi
