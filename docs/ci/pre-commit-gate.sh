#!/usr/bin/env bash
# The pre-commit hook of docs/ci/pre-commit-hooks.yaml: BASE = fixtures/reports in the last
# commit, HEAD = fixtures/reports as staged. Exit 1 (a new finding, or a lost check: an instance the
# last commit decided that the staged data no longer decides) refuses the commit and prints the
# gate's summary; 2 is bad input (file:row:column, and the summary says "entrada inválida").
set -uo pipefail
cd "$(git rev-parse --show-toplevel)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/base" "$tmp/head"
# BASE: the last commit's reports (empty on the first commit: every fact is then added).
if git rev-parse --verify -q HEAD >/dev/null; then
  git archive HEAD fixtures/reports 2>/dev/null | tar -x -C "$tmp/base" --strip-components=2
fi
# HEAD: exactly what is staged, not the working tree.
git checkout-index --prefix="$tmp/staged/" -a -f -q
cp -r "$tmp/staged/fixtures/reports/." "$tmp/head/"
GX_ANALYTICS_ENABLED=false python -m cuadra gate "$tmp/base" "$tmp/head" --backend pandera \
  --markdown "$tmp/gate.md" --quiet
code=$?
if [ "$code" -ne 0 ] && [ -f "$tmp/gate.md" ]; then cat "$tmp/gate.md"; fi
exit "$code"
