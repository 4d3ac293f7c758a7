#!/usr/bin/env python3
"""Scaling check (docs/robustness.md): times hegui on 1x and 4x inputs and prints the ratio.

Linear work costs about 4x the time at 4x the input; a quadratic cost shows as about 16x.

  cargo build --release --locked && python3 benches/scaling.py
  python3 benches/scaling.py --hegui target/debug/hegui --runs 1 --scale 0.25

Cases:
  matches   one notice text with many wording matches (TXT002), 12,000 vs 48,000 repetitions
  notices   N accounts each covered by its own notice, N = 1,000 vs 4,000
  keys      one account with N misspelt keys (N unknown-key findings, each with a rename fix),
            N = 1,000 vs 4,000
  batches   N active coupon batches, each still on a channel it is not withdrawn from (a
            CPN010 finding whose fix appends to the batch's `withdrawn_from`), each naming a
            replacement (CPN013 looks it up among the batches), with claimed coupons (CPN007
            looks for a reminder) and no `[monitoring]` (CPN012: one finding per batch, each
            adding the same table); N = 500 vs 2,000
  closures  N accounts closing on the same day and one data export after it (DAT009 takes the
            shortest retention of the accounts closing that day), N = 1,000 vs 4,000
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

HEADER = """schema = "hegui/plan/v1"

[plan]
id = "scaling"
title = "扩展性测试"
organization = "上海华信生活服务有限公司"
owner = "li.wei@huaxin-life.example"
decided_on = 2026-10-15
"""

ACCOUNT = """
[[account]]
id = "acc-{i}"
name = "账号 {i}"
type = "subscription"
commerce = false
followers = 480
days_since_last_violation = 236
unsettled_funds_cny = 0
qualification_valid_until = 2027-06-30
linked_accounts_unbound = true
third_party_content_cleared = true
cancellation_requested_on = 2026-11-20
closure_effective_on = 2026-12-18
"""

NOTICE = """
[[notice]]
id = "ntc-{i}"
kind = "service-change"
channels = ["menu", "broadcast", "landing-page"]
published_on = 2026-11-01
displayed_until = 2026-12-31
covers = ["acc-{i}"]
audience = "all"
text = "{text}"
"""

TEXT = "本账号将停止更新，历史文章可在华信生活App查看。"
MATCH = "最终解释权归本店所有。"


def matches_plan(n):
    return HEADER + ACCOUNT.format(i=0) + NOTICE.format(i=0, text=MATCH * n)


def notices_plan(n):
    parts = [HEADER]
    parts += [ACCOUNT.format(i=i) for i in range(n)]
    parts += [NOTICE.format(i=i, text=TEXT) for i in range(n)]
    return "".join(parts)


def keys_plan(n):
    extra = "".join(f"folowers_{i} = 1\n" for i in range(n))
    return HEADER + ACCOUNT.format(i=0) + extra


BATCH = """
[[coupon_batch]]
card_id = "pQhTx7mK2vN9bC4dR6yW8s{i:06d}"
title = "秋季满100减20代金券 {i}"
status = "active"
strategy = "gradual"
reason = "秋季活动结束，换用冬季满减券"
violation = false
withdraw_at = 2026-12-15T10:00:00
claimed = 12840
redeemed = 9310
keep_claimed_records = true
smooth_transition = true
replacement_card_id = "pQhTx7mK2vN9bC4dR6yW8r{i:06d}"
replacement_copy = "冬季满100减20代金券已上线，点击菜单栏「会员福利」即可领取。"
equivalent_alternative = true
channels = ["official-account", "mini-program", "offline"]  # offline: not withdrawn
withdrawn_from = ["official-account", "mini-program"]
operator = {{ role = "ops-admin", verification = "sms", category_authorized = true }}
"""


def batches_plan(n):
    return HEADER + "".join(BATCH.format(i=i) for i in range(n))


DATA = """
[[data]]
id = "data-articles"
category = "articles"
personal_info = false
export_method = "backend"
export_by = 2026-12-30
"""


def closures_plan(n):
    return HEADER + "".join(ACCOUNT.format(i=i) for i in range(n)) + DATA


def cpu_of_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(hegui, path, runs):
    """The fastest run's wall time and the least CPU time (user + system) of the runs: on a
    shared machine CPU time varies less with the load than wall time does."""
    best, best_cpu = None, None
    for _ in range(runs):
        start, cpu = time.perf_counter(), cpu_of_children()
        done = subprocess.run(
            [hegui, "check", "--today", "2026-11-22", "--format", "json", path],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        elapsed, used = time.perf_counter() - start, cpu_of_children() - cpu
        if done.returncode not in (0, 1):
            sys.exit(f"hegui exited {done.returncode}: {done.stderr.decode()[:500]}")
        best = elapsed if best is None else min(best, elapsed)
        best_cpu = used if best_cpu is None else min(best_cpu, used)
    return best, best_cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hegui", default=os.path.join(ROOT, "target/release/hegui"))
    ap.add_argument("--runs", type=int, default=3, help="runs per input; the fastest counts")
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies every input size")
    ap.add_argument(
        "--case",
        choices=["matches", "notices", "keys", "batches", "closures"],
        action="append",
    )
    args = ap.parse_args()
    cases = {
        "matches": (matches_plan, 12_000),
        "notices": (notices_plan, 1_000),
        "keys": (keys_plan, 1_000),
        "batches": (batches_plan, 500),
        "closures": (closures_plan, 1_000),
    }
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.case or list(cases):
            make, base = cases[name]
            n1 = max(1, int(base * args.scale))
            times = []
            for n in (n1, 4 * n1):
                path = os.path.join(tmp, f"{name}-{n}.plan.toml")
                with open(path, "w", encoding="utf-8") as f:
                    f.write(make(n))
                times.append(timed(args.hegui, path, args.runs))
                wall, cpu = times[-1]
                size = os.path.getsize(path)
                print(f"{name:8} n={n:>6}  {size:>10,} bytes  {wall:8.3f} s  cpu {cpu:8.3f} s")
            ratio = times[1][0] / times[0][0]
            cpu_ratio = times[1][1] / max(times[0][1], 1e-9)
            worst = max(worst, ratio)
            print(f"{name:8} 4x input: {ratio:.2f}x time, {cpu_ratio:.2f}x cpu")
    print(f"worst ratio {worst:.2f} (linear: about 4; quadratic: about 16)")


if __name__ == "__main__":
    main()
