#!/usr/bin/env bash
# Records what `hegui schedule` and `hegui report` say about fixtures/, so that a change to
# the schedule's search (issue #16: the report's windows) can be checked for byte-identical
# results:
#
#   scripts/schedule_baseline.sh /tmp/hegui-old /tmp/sched-before
#   scripts/schedule_baseline.sh target/release/hegui /tmp/sched-after
#   diff -r /tmp/sched-before /tmp/sched-after
#
# For every plan under fixtures/: `schedule --format json` (as of 2026-11-22), and for the
# example plans also the human table in both languages, `--close-on` and `--format ics`; the
# HTML and Markdown reports of fixtures/examples in zh, en and both. Standard output, standard
# error and exit status of each command are recorded. Run from anywhere (paths in the outputs
# are relative to the repository root).
TODAY=2026-11-22
source "$(dirname "$0")/record.sh" "$@"
find fixtures -name '*.plan.toml' | LC_ALL=C sort | while read -r plan; do
  name=$(echo "$plan" | tr '/' '_')
  run "schedule-json-$name" schedule --today $TODAY --format json "$plan"
done
for plan in fixtures/examples/*.plan.toml docs/schedule-example.toml; do
  name=$(basename "$plan")
  for lang in zh en; do
    run "schedule-human-$lang-$name" schedule --today $TODAY --lang $lang "$plan"
  done
  run "schedule-close-on-$name" schedule --today $TODAY --close-on 2027-01-20 --format json "$plan"
  run "schedule-ics-$name" schedule --today $TODAY --close-on 2027-01-20 --format ics "$plan"
done
for lang in zh en both; do
  for ext in html md; do
    run "report-examples-$lang-$ext" report --today $TODAY --lang $lang -o "$OUT/report-examples-$lang.$ext" fixtures/examples
  done
done
# Every plan's windows as the report computes them (the other dates as they are).
run report-fixtures-zh-html report --today $TODAY -o "$OUT/report-fixtures-zh.html" fixtures
run report-fixtures-en-md report --today $TODAY --lang en -o "$OUT/report-fixtures-en.md" fixtures
