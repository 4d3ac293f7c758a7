#!/usr/bin/env python3
"""Deterministic corpus generator for the hegui benchmark (docs/performance.md).

    python3 benches/gen_corpus.py --n 1000 --seed 6 --out benches/out/corpus-1000

writes, for N plan manifests generated from one seeded `random.Random`:

    OUT/toml/plan-00000.plan.toml …   the manifests (hegui)
    OUT/json/plan-00000.json …        the same data as JSON (Spectral; dates as strings)
    OUT/combined.json                 {"files": [{"name", "plan"}, …]} (regorus, one input)
    OUT/expected.json                 violations per benchmark rule, as generated

Each benchmark rule is violated by about a third of the files (each file draws one flag per
rule with p = 1/3 and then contains one or two violating items for every flag it drew).
The expected counts are what the generator planted; the run script checks every tool against
them and against each other. Only the standard library is used, so the output depends on the
seed and N alone.
"""

import argparse
import datetime as dt
import json
import os
import random

ACCOUNT_TYPES = ["subscription", "service", "work", "mini-program"]
BAD_TYPES = ["official", "Service", "miniprogram", "enterprise", "订阅号"]
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-"
ORGS = ["成都蜀味坊餐饮管理有限公司", "杭州青禾文化传媒有限公司", "北京北辰零售有限公司",
        "深圳海岸科技有限公司", "上海明川教育咨询有限公司", "广州南粤茶饮有限公司"]
TEXTS = [
    "【终止经营公示】本服务号将于{d}停止服务并注销。储值卡余额请在门店或App查询，客服电话400-028-6677。",
    "【服务变更声明】本号将于{d}停止更新，内容今后在App和抖音号发布，欢迎通过菜单栏入口关注。",
    "【卡券下线公告】活动券已停止发放，已领取的券在有效期内照常可用。",
    "您领取的代金券将于{d}到期，请在到期前到店或在小程序下单使用。",
    "【规则变更公示】活动券将于{d}起停止发放，已领取的券在有效期内照常可用。",
]


class Date:
    def __init__(self, d):
        self.d = d

    def toml(self):
        return self.d.isoformat()


class DateTime:
    def __init__(self, t):
        self.t = t

    def toml(self):
        return self.t.strftime("%Y-%m-%dT%H:%M:%S")


def day(base, offset):
    return Date(base + dt.timedelta(days=offset))


def card_id(rng, good=True):
    body = "".join(rng.choice(ALPHABET) for _ in range(27))
    if good:
        return "p" + body
    # Malformed in one of the ways people get it wrong: truncated, wrong prefix, a stray char.
    kind = rng.randrange(3)
    if kind == 0:
        return "p" + body[: rng.randrange(10, 26)]
    if kind == 1:
        return "q" + body
    return "p" + body[:13] + rng.choice("!.# ") + body[14:]


def gen_plan(rng, index):
    """One plan as an ordered dict (insertion order = TOML order) and its planted violations."""
    flags = [rng.random() < 1 / 3 for _ in range(5)]
    expected = [0] * 5
    has_accounts = flags[0] or flags[1] or flags[3] or rng.random() < 0.6
    has_coupons = flags[2] or flags[4] or rng.random() < 0.5
    if not (has_accounts or has_coupons):
        has_accounts = True
    base = dt.date(2026, 9, 1) + dt.timedelta(days=rng.randrange(0, 110))
    plan = {"schema": "hegui/plan/v1"}
    plan["plan"] = {
        "id": f"plan-{index:05d}",
        "title": f"微信渠道停运计划 {index}",
        "organization": rng.choice(ORGS),
        "owner": f"owner{index}@example.com",
        "decided_on": day(base, -rng.randrange(20, 60)),
    }
    accounts, notices, data, batches = [], [], [], []
    if has_accounts:
        n_acc = rng.randrange(1, 4)
        late = set(rng.sample(range(n_acc), rng.randrange(1, n_acc + 1))) if flags[0] else set()
        bad_type = set(rng.sample(range(n_acc), 1)) if flags[3] else set()
        for a in range(n_acc):
            closure = rng.randrange(60, 120)
            acc_type = rng.choice(ACCOUNT_TYPES)
            acc = {
                "id": f"acc-{a}",
                "name": f"账号{a}",
                "type": rng.choice(BAD_TYPES) if a in bad_type else acc_type,
                "commerce": rng.random() < 0.5,
                "followers": rng.randrange(0, 500) if acc_type == "subscription" else rng.randrange(0, 200000),
                "payment_enabled": False,
                "days_since_last_violation": rng.randrange(60, 900),
                "unsettled_funds_cny": 0,
                "qualification_valid_until": day(base, 900),
                "linked_accounts_unbound": True,
                "third_party_content_cleared": rng.random() < 0.8,
                "cancellation_requested_on": day(base, closure - 31),
                "closure_effective_on": day(base, closure),
            }
            if acc_type == "work":
                acc["active_members"] = 0
            if acc_type == "mini-program":
                acc["subject_unbound"] = True
            accounts.append(acc)
            if a in bad_type:
                expected[3] += 1
            # Notices for this account: timely (>= 30 days ahead, sometimes exactly 30), or late,
            # or of a kind that does not count, or none at all.
            kind = rng.choice(["termination", "service-change"])
            if a in late:
                expected[0] += 1
                how = rng.randrange(3)
                if how == 0:
                    notices.append(notice(rng, f"ntc-acc-{a}", kind, base, closure - rng.randrange(1, 30), [acc["id"]], closure))
                elif how == 1:
                    notices.append(notice(rng, f"ntc-acc-{a}", "rule-change", base, closure - 45, [acc["id"]], closure))
                # how == 2: no notice covers it
            else:
                lead = rng.choice([30, 31, 35, 45, 60])
                notices.append(notice(rng, f"ntc-acc-{a}", kind, base, closure - lead, [acc["id"]], closure))
                if rng.random() < 0.3:
                    notices.append(notice(rng, f"ntc-acc-{a}-late", kind, base, closure - 5, [acc["id"]], closure))
        categories = ["articles", "orders", "cs-records", "ad-reports", "user-profiles"]
        n_phone = rng.randrange(1, 3)
        unmasked = set(rng.sample(range(n_phone), rng.randrange(1, n_phone + 1))) if flags[1] else set()
        for p in range(n_phone):
            asset = {"id": f"data-phones-{p}", "category": "phone-numbers", "personal_info": True,
                     "export_method": "backend", "export_by": day(base, 20)}
            if p in unmasked:
                expected[1] += 1
                if rng.random() < 0.5:
                    asset["masking"] = "none"
            else:
                asset["masking"] = rng.choice(["partial", "hash", "anonymized"])
            asset.update({"encrypted": True, "recipient": "self", "storage_region": "cn", "retention_days": 30})
            data.append(asset)
        for c in rng.sample(categories, rng.randrange(2, 5)):
            asset = {"id": f"data-{c}", "category": c, "personal_info": c in ("orders", "cs-records", "user-profiles"),
                     "export_method": rng.choice(["backend", "api"]), "export_by": day(base, 25)}
            if asset["personal_info"]:
                asset["masking"] = rng.choice(["none", "partial", "hash"])  # not phone numbers: rule 2 ignores it
                asset["encrypted"] = True
                asset["recipient"] = "self"
                asset["retention_days"] = rng.choice([30, 90, 180])
            data.append(asset)
    if has_coupons:
        n_b = rng.randrange(1, 4)
        silent = set(rng.sample(range(n_b), rng.randrange(1, n_b + 1))) if flags[2] else set()
        malformed = set(rng.sample(range(n_b), 1)) if flags[4] else set()
        for b in range(n_b):
            cid = card_id(rng, b not in malformed)
            if b in malformed:
                expected[4] += 1
            if b in silent:
                status, strategy = "active", "immediate"
            else:
                status = rng.choice(["active", "active", "warm-up", "paused"])
                strategy = rng.choice(["immediate", "gradual"])
            withdraw = rng.randrange(10, 90)
            claimed = rng.randrange(1, 20000)
            redeemed = rng.randrange(0, claimed) if (b in silent or rng.random() < 0.8) else claimed
            batch = {
                "card_id": cid,
                "title": f"活动券{b}",
                "status": status,
                "strategy": strategy,
                "reason": "活动结束",
                "violation": strategy == "immediate" and rng.random() < 0.5,
                "withdraw_at": DateTime(dt.datetime.combine(base + dt.timedelta(days=withdraw), dt.time(10, 0))),
                "claimed": claimed,
                "redeemed": redeemed,
                "keep_claimed_records": True,
                "smooth_transition": strategy == "gradual",
                "equivalent_alternative": True,
                "channels": ["official-account", "mini-program"],
                "withdrawn_from": ["official-account", "mini-program"],
                "operator": {"role": "super-admin", "verification": "face"},
            }
            if strategy == "gradual":
                batch["replacement_copy"] = "新券已上线，点击菜单栏「会员福利」即可领取。"
            batches.append(batch)
            holders = status == "active" and strategy == "immediate" and claimed - redeemed > 0
            if b in silent:
                expected[2] += 1
                how = rng.randrange(3)
                if how == 0:  # a reminder, but not by template message
                    notices.append(notice(rng, f"ntc-cpn-{b}", "expiry-reminder", base, withdraw, [cid], None, ["sms"]))
                elif how == 1:  # an offline notice does not reach holders
                    notices.append(notice(rng, f"ntc-cpn-{b}", "coupon-offline", base, withdraw, [cid], None, ["template-message"]))
            elif holders or rng.random() < 0.5:
                notices.append(notice(rng, f"ntc-cpn-{b}", "expiry-reminder", base, withdraw, [cid], None,
                                      ["template-message"] + (["sms"] if rng.random() < 0.3 else [])))
    if accounts:
        plan["account"] = accounts
    if notices:
        plan["notice"] = notices
    if accounts:
        plan["migration"] = {"targets": rng.sample(["work", "douyin", "app", "website"], 2),
                             "menu_entry": True, "high_value_incentive": rng.random() < 0.5}
        plan["data"] = data
        plan["finance"] = {"ad_balance_cny": 0, "pay_deposit_cny": 0}
        plan["legal"] = {"agreement_amendment_notarized": True, "liquidation_notice_newspaper": rng.random() < 0.7,
                         "debt_notice_published": True}
    if batches:
        plan["coupon_batch"] = batches
        plan["monitoring"] = {"window_hours": rng.choice([48, 72, 96]), "bounce_rate_max": 0.4,
                              "negative_review_ratio_max": 0.003, "replacement_claim_ratio_min": 0.6}
    return plan, expected


def notice(rng, nid, kind, base, published, covers, closure, channels=None):
    n = {
        "id": nid,
        "kind": kind,
        "channels": channels or rng.choice([["homepage", "menu"], ["menu", "broadcast"], ["homepage", "customer-service"]]),
        "published_on": day(base, published),
    }
    if closure is not None:
        n["displayed_until"] = day(base, closure + 5)
    n["covers"] = covers
    n["audience"] = "all"
    n["text"] = rng.choice(TEXTS).format(d=(base + dt.timedelta(days=published + 30)).isoformat())
    return n


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, (Date, DateTime)):
        return v.toml()
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v))


def to_toml(plan):
    lines = []
    for key, value in plan.items():
        if not isinstance(value, (dict, list)):
            lines.append(f"{key} = {toml_value(value)}")
    for key, value in plan.items():
        if isinstance(value, dict):
            lines += ["", f"[{key}]"] + [f"{k} = {toml_value(v)}" for k, v in value.items()]
        elif isinstance(value, list):
            for entry in value:
                lines += ["", f"[[{key}]]"] + [f"{k} = {toml_value(v)}" for k, v in entry.items()]
    return "\n".join(lines) + "\n"


def json_default(v):
    if isinstance(v, (Date, DateTime)):
        return v.toml()
    raise TypeError(type(v))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(os.path.join(args.out, "toml"), exist_ok=True)
    os.makedirs(os.path.join(args.out, "json"), exist_ok=True)
    combined, totals, files_with = [], [0] * 5, [0] * 5
    for i in range(args.n):
        plan, expected = gen_plan(rng, i)
        name = f"plan-{i:05d}"
        with open(os.path.join(args.out, "toml", name + ".plan.toml"), "w", encoding="utf-8") as f:
            f.write(f"# benchmark manifest {i} (seed {args.seed})\n" + to_toml(plan))
        text = json.dumps(plan, ensure_ascii=False, indent=2, default=json_default)
        with open(os.path.join(args.out, "json", name + ".json"), "w", encoding="utf-8") as f:
            f.write(text + "\n")
        combined.append({"name": name, "plan": json.loads(text)})
        for r in range(5):
            totals[r] += expected[r]
            files_with[r] += expected[r] > 0
    with open(os.path.join(args.out, "combined.json"), "w", encoding="utf-8") as f:
        json.dump({"files": combined}, f, ensure_ascii=False)
    rules = ["R1", "R2", "R3", "R4", "R5"]
    summary = {"n": args.n, "seed": args.seed, "violations": dict(zip(rules, totals)),
               "files_violating": dict(zip(rules, files_with))}
    with open(os.path.join(args.out, "expected.json"), "w") as f:
        json.dump(summary, f, indent=2)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
