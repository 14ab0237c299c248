'use server';
import { protectAction } from 'palisade/next';
import { actions } from '../lib/security';

export async function sendMessage(_prev: string, form: FormData): Promise<string> {
  const decision = await protectAction(actions);
  if (decision.isDenied()) {
    return `Slow down: try again in ${decision.reason.reset ?? 60} s.`;
  }
  // Called without a form (e.g. by a script), the action still answers.
  const text = form instanceof FormData ? String(form.get('message') ?? '').slice(0, 200) : '';
  return `Sent: ${text}`;
}
