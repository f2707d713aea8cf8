import { useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";
import { GoogleSignIn } from "./GoogleSignIn";
import { safeNext } from "./next";

export function SignIn() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const signIn = useMutation({
    mutationFn: () => call(api.POST("/api/v1/auth/login", { body: { email, password } })),
    onSuccess: () => {
      queryClient.clear(); // nothing of an earlier session survives
      navigate(safeNext(params.get("next")), { replace: true });
    },
  });
  const errors = fieldErrors(signIn.error);
  // Signing up instead keeps where the person was going (an invitation's link).
  const signUp = params.get("next") ? `/sign-up?${new URLSearchParams({ next: params.get("next")! })}` : "/sign-up";
  const submit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate();
  };
  return (
    <main className="narrow">
      <h1>Sign in to AstralisOps</h1>
      {params.get("next") && <p>Sign in to continue.</p>}
      <form onSubmit={submit} noValidate>
        <Field label="Email" error={errors.email}>
          <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Password" error={errors.password}>
          <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        {signIn.isError && Object.keys(errors).length === 0 && <ErrorMessage error={signIn.error} />}
        <button type="submit" disabled={signIn.isPending}>
          {signIn.isPending ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p>
        <Link to="/forgot-password">Forgot password?</Link>
      </p>
      <GoogleSignIn />
      <p>
        No account yet? <Link to={signUp}>Sign up</Link>
      </p>
    </main>
  );
}
