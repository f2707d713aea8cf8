import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { useMutation } from "@tanstack/react-query";
import { api } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";

/** The mailed confirmation link: the API asks for the password again, so a leaked link alone confirms nothing. */
export function VerifyEmail() {
  const [params] = useSearchParams();
  const [password, setPassword] = useState("");
  const verify = useMutation({
    mutationFn: () => call(api.POST("/api/v1/auth/verify", { body: { token: params.get("token") ?? "", password } })),
  });
  const errors = fieldErrors(verify.error);
  // Where they were going when they signed up (an invitation), kept for signing in.
  const next = params.get("next");
  const signIn = next ? `/sign-in?${new URLSearchParams({ next })}` : "/sign-in";
  const submit = (e: FormEvent) => {
    e.preventDefault();
    verify.mutate();
  };
  return (
    <main className="narrow">
      <h1>Confirm your email</h1>
      {verify.isSuccess ? (
        <p role="status">
          Your address is confirmed. <Link to={signIn}>Sign in</Link>
        </p>
      ) : (
        <form onSubmit={submit} noValidate>
          <Field label="Password" error={errors.password}>
            <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          </Field>
          {errors.token && <p className="field-error">{errors.token}</p>}
          {verify.isError && Object.keys(errors).length === 0 && <ErrorMessage error={verify.error} />}
          <button type="submit" disabled={verify.isPending}>
            Confirm
          </button>
        </form>
      )}
    </main>
  );
}
