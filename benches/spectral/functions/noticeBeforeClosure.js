// Rule (1): for each account with a closure date, some termination or service-change notice
// covering it is published at least `minDays` days before the closure.
const DAY = 24 * 60 * 60 * 1000;

export default function noticeBeforeClosure(plan, options) {
  const results = [];
  const notices = Array.isArray(plan.notice) ? plan.notice : [];
  (Array.isArray(plan.account) ? plan.account : []).forEach((account, i) => {
    if (typeof account.closure_effective_on !== 'string' || account.id === undefined) return;
    const deadline = Date.parse(account.closure_effective_on) - options.minDays * DAY;
    const timely = notices.some(
      (n) =>
        (n.kind === 'termination' || n.kind === 'service-change') &&
        Array.isArray(n.covers) &&
        n.covers.includes(account.id) &&
        Date.parse(n.published_on) <= deadline,
    );
    if (!timely) {
      results.push({
        message: `account ${account.id} has no notice published ${options.minDays} days before its closure`,
        path: ['account', i, 'closure_effective_on'],
      });
    }
  });
  return results;
}
