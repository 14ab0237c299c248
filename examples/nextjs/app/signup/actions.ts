'use server';
import { protectAction } from 'palisade/next';
import { signup } from '../../lib/security';

export interface SignupState {
  ok: boolean;
  message: string;
}

/** The signup form's server action: the same rules as POST /api/signup. */
export async function signUp(_prev: SignupState, form: FormData): Promise<SignupState> {
  const email = form instanceof FormData ? String(form.get('email') ?? '').slice(0, 320) : '';
  const decision = await protectAction(signup, { email });
  if (decision.isDenied()) {
    const r = decision.reason;
    if (r.isRateLimit()) return { ok: false, message: `Too many signups: try again in ${r.reset ?? 60} s.` };
    if (r.isEmail()) {
      const why = r.suggestion ? `did you mean ${r.suggestion}?` : (r.emailTypes ?? []).join(', ');
      return { ok: false, message: `Signup refused (email: ${why}).` };
    }
    return { ok: false, message: `Signup refused (${r.type}).` };
  }
  // The decision's own reason is the tightest rate limit; the email rule's result has the address.
  const normalized = decision.results.find((r) => r.type === 'EMAIL')?.reason.normalized;
  return { ok: true, message: `Welcome, ${normalized ?? email}!` };
}
