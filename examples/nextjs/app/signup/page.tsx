import { SignupForm } from './signup-form';

export default function SignupPage() {
  return (
    <main>
      <h1>Sign up</h1>
      <p>Handled by a server action. The same rules guard <code>POST /api/signup</code> (form or JSON).</p>
      <SignupForm />
      <h2>Plain HTML form</h2>
      <form method="post" action="/api/signup">
        <input name="email" type="email" required />
        <button type="submit">Sign up (route handler)</button>
      </form>
    </main>
  );
}
