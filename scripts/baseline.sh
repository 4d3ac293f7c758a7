#!/usr/bin/env bash
# Records the outputs of a hegui binary on fixtures/ so that a refactor can be checked for
# byte-identical behaviour (issue #11):
#
#   scripts/baseline.sh /work/main/target/release/hegui /tmp/before
#   scripts/baseline.sh target/release/hegui /tmp/after
#   diff -r /tmp/before /tmp/after
#
# Every command's standard output, standard error and exit status are recorded. Run from the
# repository root (paths in the outputs are relative to it).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "$1")
OUT=$2
TODAY=2026-11-20
mkdir -p "$OUT"
run() { # name, args...
  local name=$1; shift
  "$BIN" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err"
  echo $? >"$OUT/$name.rc"
}
for target in fixtures fixtures/examples fixtures/malformed; do
  t=${target//\//_}
  for lang in zh en; do
    run "check-$t-human-$lang" check --today $TODAY --lang $lang --fail-on info "$target"
  done
  for fmt in json sarif github junit; do
    for lang in zh en; do
      run "check-$t-$fmt-$lang" check --today $TODAY --lang $lang --format $fmt "$target"
    done
  done
  for lang in zh en both; do
    for ext in html md; do
      run "report-$t-$lang-$ext" report --today $TODAY --lang $lang -o "$OUT/report-$t-$lang.$ext" "$target"
    done
  done
done
run check-examples-select check --today $TODAY --select CPN,ACC --ignore ACC002 fixtures/examples
run check-examples-baseline-write check --today $TODAY --write-baseline "$OUT/baseline.json" fixtures/examples
run check-examples-baseline-use check --today $TODAY --baseline "$OUT/baseline.json" fixtures
for lang in zh en; do
  run "rules-$lang" rules --lang $lang
  run "rules-json-$lang" rules --lang $lang --format json
  for id in ACC001 CPN003 DAT009 FIN003 SCH001 TXT001 WVR002 NOPE999; do
    run "explain-$id-$lang" explain --lang $lang $id
  done
done
run schema schema
run init init -
run test-rules test-rules --today $TODAY fixtures
run test-rules-en test-rules --today $TODAY --lang en fixtures
run test-rules-benches test-rules --today $TODAY --no-builtin benches/hegui-rules
run help --help
# hegui fix: the diffs it would apply (never writes without --write).
for target in fixtures fixtures/examples; do
  t=${target//\//_}
  run "fix-$t-diff" fix --today $TODAY --diff "$target"
  run "fix-$t-diff-unsafe" fix --today $TODAY --diff --unsafe-fixes "$target"
  run "fix-$t-diff-en" fix --today $TODAY --lang en --diff --unsafe-fixes "$target"
done
# hegui schedule on every example plan, in every format.
for plan in fixtures/examples/*.plan.toml; do
  p=$(basename "$plan" .plan.toml)
  for fmt in human json ics; do
    run "schedule-$p-$fmt" schedule --today $TODAY --format $fmt "$plan"
  done
  run "schedule-$p-en" schedule --today $TODAY --lang en "$plan"
  run "schedule-$p-close" schedule --today $TODAY --close-on 2027-03-01 "$plan"
done
