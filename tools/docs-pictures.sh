#!/usr/bin/env bash
# The README's pictures of a handout, made from `make demo`'s own output:
# page 1 and page 2 of the same personalised handout, as PNG.
# Usage: tools/docs-pictures.sh [PDF]   (default: the demo's micropenning handout)
set -euo pipefail
cd "$(dirname "$0")/.."
# The demo's patient name loses its accents in the file name, so a hash follows it.
default=$(ls out/harbourside_micropenning_2026-11-22_zoe-o-brien-nunez*.pdf 2>/dev/null | head -1)
pdf=${1:-$default}
[[ -n $pdf && -f $pdf ]] || { echo "no demo handout in out/: run 'make demo' first" >&2; exit 1; }
pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
[[ $pages -ge 2 ]] || { echo "$pdf has $pages page(s); the README shows pages 1 and 2" >&2; exit 1; }
for page in 1 2; do
  pdftoppm -png -r 70 -f "$page" -l "$page" -singlefile "$pdf" "docs/handout-page-$page"
  echo "docs/handout-page-$page.png"
done
