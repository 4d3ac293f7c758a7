# The five benchmark rules (docs/performance.md) as conftest-style `deny` rules, evaluated by
# regorus over one combined input: {"files": [{"name": …, "plan": <manifest as JSON>}, …]}.
# Same readings as benches/hegui-rules/bench.toml: a value a rule needs but the file omits
# makes the rule not fire.
package hegui.bench

import rego.v1

account_types := {"subscription", "service", "work", "mini-program"}

# (1) The earliest termination or service-change notice covering the account is published
# at least 30 days before its closure.
deny contains {"rule": "R1", "file": f.name, "path": sprintf("account[%d].closure_effective_on", [i])} if {
	some f in input.files
	some i, a in f.plan.account
	closure := time.parse_ns("2006-01-02", a.closure_effective_on)
	deadline := time.add_date(closure, 0, 0, -30)
	not timely_notice(f.plan, a.id, deadline)
}

timely_notice(plan, id, deadline) if {
	some n in plan.notice
	n.kind in {"termination", "service-change"}
	id in n.covers
	time.parse_ns("2006-01-02", n.published_on) <= deadline
}

# (2) Phone-number exports are masked.
deny contains {"rule": "R2", "file": f.name, "path": sprintf("data[%d]", [i])} if {
	some f in input.files
	some i, d in f.plan.data
	d.category == "phone-numbers"
	not masked(d)
}

masked(d) if d.masking != "none"

# (3) An active batch withdrawn immediately, with coupons still held, has an expiry-reminder
# notice by template message covering it.
deny contains {"rule": "R3", "file": f.name, "path": sprintf("coupon_batch[%d]", [i])} if {
	some f in input.files
	some i, b in f.plan.coupon_batch
	b.status == "active"
	b.strategy == "immediate"
	b.claimed - b.redeemed > 0
	not holders_notified(f.plan, b.card_id)
}

holders_notified(plan, card_id) if {
	some n in plan.notice
	n.kind == "expiry-reminder"
	"template-message" in n.channels
	card_id in n.covers
}

# (4) The account type is one of the four values.
deny contains {"rule": "R4", "file": f.name, "path": sprintf("account[%d].type", [i])} if {
	some f in input.files
	some i, a in f.plan.account
	t := a.type
	not t in account_types
}

# (5) Card ids match ^p[0-9A-Za-z_-]{27}$.
deny contains {"rule": "R5", "file": f.name, "path": sprintf("coupon_batch[%d].card_id", [i])} if {
	some f in input.files
	some i, b in f.plan.coupon_batch
	id := b.card_id
	not regex.match(`^p[0-9A-Za-z_-]{27}$`, id)
}
