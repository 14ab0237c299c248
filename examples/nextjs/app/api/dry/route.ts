import { dryRun } from '../../../lib/security';

export function GET(request: Request) {
  const decision = dryRun.protect(request);
  const rule = decision.results[0];
  return Response.json({ conclusion: decision.conclusion, ruleConclusion: rule.conclusion, ruleState: rule.state });
}
