// Rule (3): an active batch withdrawn immediately with coupons still held (claimed − redeemed
// > 0) has an expiry-reminder notice by template message covering its card_id.
export default function holdersNotified(plan) {
  const results = [];
  const notices = Array.isArray(plan.notice) ? plan.notice : [];
  (Array.isArray(plan.coupon_batch) ? plan.coupon_batch : []).forEach((batch, i) => {
    if (batch.status !== 'active' || batch.strategy !== 'immediate') return;
    if (typeof batch.claimed !== 'number' || typeof batch.redeemed !== 'number') return;
    if (batch.claimed - batch.redeemed <= 0) return;
    const notified = notices.some(
      (n) =>
        n.kind === 'expiry-reminder' &&
        Array.isArray(n.channels) &&
        n.channels.includes('template-message') &&
        Array.isArray(n.covers) &&
        n.covers.includes(batch.card_id),
    );
    if (!notified) {
      results.push({ message: `batch ${batch.card_id} is withdrawn immediately without notifying its holders`, path: ['coupon_batch', i] });
    }
  });
  return results;
}
