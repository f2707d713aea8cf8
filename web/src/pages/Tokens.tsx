import { useState, type FormEvent } from "react";
import { useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type Schemas } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";
import { AskTwice } from "../components/AskTwice";
import { useRole } from "./orgs";
import { useMe } from "./me";
import { rolesUpTo, useMembers, type Role } from "./people";
import { when } from "./time";

/** API tokens for scripts: one's own (an ADMIN sees everyone's), created with a role no higher than one's own. */
export function Tokens() {
  const { org = "" } = useParams();
  const role = useRole(org);
  const me = useMe();
  // Only an ADMIN sees others' tokens, and may list the members who made them.
  const members = useMembers(org, role === "ADMIN");
  const tokens = useQuery({
    queryKey: ["tokens", org],
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/tokens", { params: { path: { org } } })),
    select: (page) => page.items ?? [],
  });
  const creator = (id: string | undefined) =>
    id === me.data?.id ? "You" : (members.data?.find((m) => m.user_id === id)?.email ?? "Another member");
  return (
    <>
      <h1>API tokens</h1>
      <p>A token lets a script use the API as you, in this organisation only, with the role you give it.</p>
      {/* Keyed by the organisation: a secret just shown never follows the person to another. */}
      <CreateToken key={org} org={org} role={role} />
      <h2>Active tokens</h2>
      <ErrorMessage error={tokens.error} />
      {tokens.isPending ? (
        <p>Loading…</p>
      ) : tokens.data?.length === 0 ? (
        <p>No active token.</p>
      ) : (
        <table className="queue tokens">
          <caption className="visually-hidden">Active API tokens</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Starts with</th>
              <th scope="col">Created by</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Revoke</th>
            </tr>
          </thead>
          <tbody>
            {tokens.data?.map((t) => (
              <tr key={t.id} data-id={t.id} data-name={t.name}>
                <td>{t.name}</td>
                <td>{t.role}</td>
                <td>
                  <code>{t.prefix}</code>
                </td>
                <td>{creator(t.created_by)}</td>
                <td>{t.created_at ? when(t.created_at) : "—"}</td>
                <td>{t.last_used_at ? when(t.last_used_at) : "Never"}</td>
                <td>
                  <Revoke org={org} token={t} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function CreateToken({ org, role }: { org: string; role: Role | undefined }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [tokenRole, setTokenRole] = useState<Role | "">("");
  const [secretDone, setSecretDone] = useState(false); // back from the secret: the focus returns to the form
  const create = useMutation({
    mutationFn: () =>
      call(api.POST("/api/v1/orgs/{org}/tokens", { params: { path: { org } }, body: { name, role: tokenRole || undefined } })),
    onSuccess: () => {
      setName("");
      return queryClient.invalidateQueries({ queryKey: ["tokens", org] });
    },
  });
  const errors = fieldErrors(create.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  // The secret lives only in this mutation's answer: "Done" forgets it, and the API never shows it again.
  if (create.isSuccess && create.data.token) {
    const done = () => {
      create.reset();
      setSecretDone(true);
    };
    return <NewSecret name={create.data.name ?? ""} secret={create.data.token} onDone={done} />;
  }
  return (
    <form className="create-token" onSubmit={submit} noValidate aria-labelledby="create-token-title">
      <h2 id="create-token-title">Create a token</h2>
      <Field label="Name" error={errors.name} hint="What it is for, such as the script that uses it.">
        <input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} autoFocus={secretDone} />
      </Field>
      <Field label="Role" error={errors.role}>
        <select value={tokenRole} onChange={(e) => setTokenRole(e.target.value as Role | "")}>
          <option value="">Same as mine{role ? ` (${role})` : ""}</option>
          {rolesUpTo(role).map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </Field>
      {create.isError && Object.keys(errors).length === 0 && <ErrorMessage error={create.error} />}
      <button type="submit" disabled={create.isPending}>
        Create token
      </button>
    </form>
  );
}

/** The new token's secret, shown this once with a way to copy it. */
function NewSecret({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState<boolean | null>(null);
  const copy = () =>
    navigator.clipboard.writeText(secret).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  return (
    <section className="new-secret" aria-labelledby="new-secret-title">
      <h2 id="new-secret-title">Token “{name}” created</h2>
      <p role="status">
        <strong>Copy it now: you will not see it again.</strong> Scripts send it as <code>Authorization: Bearer …</code>.
      </p>
      <p>
        <code id="new-token" className="secret">
          {secret}
        </code>
      </p>
      <div className="inline">
        {/* The focus goes to the next step: the form that held it is gone. */}
        <button type="button" onClick={copy} autoFocus>
          Copy
        </button>
        <button type="button" className="secondary" onClick={onDone}>
          Done
        </button>
        <span aria-live="polite">{copied === true ? "Copied." : copied === false ? "Copying failed: select the token and copy it." : ""}</span>
      </div>
    </section>
  );
}

/** Revoking is asked twice: scripts using the token stop working at once. */
function Revoke({ org, token }: { org: string; token: Schemas["APIToken"] }) {
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => call(api.DELETE("/api/v1/orgs/{org}/tokens/{token}", { params: { path: { org, token: token.id ?? "" } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["tokens", org] }),
  });
  return (
    <div className="inline">
      <AskTwice
        label="Revoke"
        ariaLabel={`Revoke ${token.name}`}
        confirm={`Yes, revoke ${token.name}`}
        pending={revoke.isPending}
        onConfirm={() => revoke.mutate()}
      />
      <ErrorMessage error={revoke.error} />
    </div>
  );
}
