'use client';
import { useActionState } from 'react';
import { signUp, type SignupState } from './actions';

/** Works without JavaScript too: the form posts to the server action and the page re-renders. */
export function SignupForm() {
  const [state, action] = useActionState<SignupState, FormData>(signUp, { ok: false, message: '' });
  return (
    <form action={action}>
      <label>
        Email <input name="email" type="email" required />
      </label>
      <button type="submit">Sign up</button>
      <p role="status" data-ok={state.ok ? 'yes' : 'no'}>
        {state.message}
      </p>
    </form>
  );
}
