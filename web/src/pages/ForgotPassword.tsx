import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { useMutation } from "@tanstack/react-query";
import { api } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";

/** Asks for a reset link. The API answers alike whether or not the address has an account, and so does this page. */
export function ForgotPassword() {
  const [email, setEmail] = useState("");
  const forgot = useMutation({
    mutationFn: () => call(api.POST("/api/v1/auth/password/forgot", { body: { email } })),
  });
  const errors = fieldErrors(forgot.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    forgot.mutate();
  };
  return (
    <main className="narrow">
      <h1>Reset your password</h1>
      {forgot.isSuccess ? (
        <p role="status" id="reset-requested">
          If an account uses {email}, we sent it a link to reset the password. Open it from your inbox.
        </p>
      ) : (
        <form onSubmit={submit} noValidate>
          <Field label="Email" error={errors.email} hint="We mail a link to set a new password.">
            <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
          </Field>
          {forgot.isError && Object.keys(errors).length === 0 && <ErrorMessage error={forgot.error} />}
          <button type="submit" disabled={forgot.isPending}>
            Send the link
          </button>
        </form>
      )}
      <p>
        <Link to="/sign-in">Back to sign in</Link>
      </p>
    </main>
  );
}
