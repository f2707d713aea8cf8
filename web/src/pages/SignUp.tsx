import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { useMutation } from "@tanstack/react-query";
import { api } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";
import { GoogleSignIn } from "./GoogleSignIn";
import { safeNext } from "./next";

export function SignUp() {
  const [params] = useSearchParams();
  // Where signing in goes afterwards: back where the person was going (an invitation's link).
  const signIn = params.get("next") ? `/sign-in?${new URLSearchParams({ next: params.get("next")! })}` : "/sign-in";
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  // Where the person was going goes into the confirmation link, so signing in after confirming goes on
  // there; only a path of this site the API takes (at most 2048 bytes), else none.
  const goingTo = safeNext(params.get("next"));
  const next = goingTo !== "/" && new TextEncoder().encode(goingTo).length <= 2048 ? goingTo : undefined;
  const signUp = useMutation({
    mutationFn: () => call(api.POST("/api/v1/auth/signup", { body: { name, email, password, next } })),
  });
  const errors = fieldErrors(signUp.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    signUp.mutate();
  };
  if (signUp.isSuccess) {
    // The API answers alike whether or not the address has an account, and so does this.
    return (
      <main className="narrow">
        <h1>Check your email</h1>
        <p role="status">
          We sent a link to {email}. Open it to confirm your address, then <Link to={signIn}>sign in</Link>.
        </p>
      </main>
    );
  }
  return (
    <main className="narrow">
      <h1>Create your account</h1>
      <form onSubmit={submit} noValidate>
        <Field label="Name" error={errors.name}>
          <input autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Email" error={errors.email}>
          <input type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Password" error={errors.password} hint="At least 10 characters; not a common password.">
          <input type="password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        {signUp.isError && !errors.name && !errors.email && !errors.password && <ErrorMessage error={signUp.error} />}
        <button type="submit" disabled={signUp.isPending}>
          Sign up
        </button>
      </form>
      <GoogleSignIn />
      <p>
        Have an account? <Link to={signIn}>Sign in</Link>
      </p>
    </main>
  );
}
