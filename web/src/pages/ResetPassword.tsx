import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { useMutation } from "@tanstack/react-query";
import { api } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";

/** The mailed reset link: a new password, after which the person signs in with it (the reset signs every session out). */
export function ResetPassword() {
  const [params] = useSearchParams();
  const [password, setPassword] = useState("");
  const reset = useMutation({
    mutationFn: () => call(api.POST("/api/v1/auth/password/reset", { body: { token: params.get("token") ?? "", password } })),
  });
  const errors = fieldErrors(reset.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    reset.mutate();
  };
  return (
    <main className="narrow">
      <h1>Choose a new password</h1>
      {reset.isSuccess ? (
        <p role="status" id="password-reset">
          Your password is changed, and every session of your account is signed out. <Link to="/sign-in">Sign in</Link> with the new
          password.
        </p>
      ) : (
        <form onSubmit={submit} noValidate>
          <Field label="New password" error={errors.password} hint="At least 10 characters; not a common password.">
            <input type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          </Field>
          {errors.token && (
            <p className="error" role="alert">
              This link is invalid, expired or already used. <Link to="/forgot-password">Ask for a new one</Link>.
            </p>
          )}
          {reset.isError && Object.keys(errors).length === 0 && <ErrorMessage error={reset.error} />}
          <button type="submit" disabled={reset.isPending}>
            Set the password
          </button>
        </form>
      )}
    </main>
  );
}
