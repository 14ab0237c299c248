'use client';
import { useActionState } from 'react';
import { sendMessage } from './actions';

export function MessageForm() {
  const [status, action] = useActionState(sendMessage, '');
  return (
    <form action={action}>
      <input name="message" placeholder="Say hello" />
      <button type="submit">Send</button>
      <p role="status">{status}</p>
    </form>
  );
}
