import { MessageForm } from './message-form';

export default function Home() {
  return (
    <main>
      <h1>palisade example</h1>
      <p>
        <code>/api/hello</code> is limited in <code>proxy.ts</code>; <code>/api/shared</code> applies the same limit in its
        route handler; <code>/api/strict</code> keys on the TCP peer; <code>/api/dry</code> runs a DRY_RUN limit.
      </p>
      <MessageForm />
      <p>
        <a href="/signup">Sign up</a> shows signup protection (email, bots, rate limit) in a server action.
      </p>
    </main>
  );
}
