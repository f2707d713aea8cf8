import { useState, type FormEvent } from "react";
import { useParams } from "react-router";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, type Schemas } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";
import { AskTwice } from "../components/AskTwice";
import { useRole } from "./orgs";
import { roles, useMembers, type Role } from "./people";
import { when } from "./time";

type Member = Schemas["Member"];

/** Who belongs to the organisation; an ADMIN also changes roles, removes members and invites. */
export function Members() {
  const { org = "" } = useParams();
  const admin = useRole(org) === "ADMIN";
  const members = useMembers(org);
  return (
    <>
      <h1>Members</h1>
      <ErrorMessage error={members.error} />
      {members.isPending ? (
        <p>Loading…</p>
      ) : (
        <table className="queue members">
          <caption className="visually-hidden">Members of the organisation</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Joined</th>
              {admin && <th scope="col">Remove</th>}
            </tr>
          </thead>
          <tbody>
            {members.data?.map((m) => (
              <tr key={m.user_id} data-email={m.email} data-role={m.role}>
                <td>{m.name || "—"}</td>
                <td>{m.email}</td>
                <td>{admin ? <RoleForm org={org} member={m} /> : m.role}</td>
                <td>{m.joined_at ? when(m.joined_at) : "—"}</td>
                {admin && (
                  <td>
                    <Remove org={org} member={m} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {admin && <InviteForm org={org} />}
      {admin && <Invitations org={org} />}
    </>
  );
}

/** What changing who belongs refreshes: the members, the invitations and the caller's own roles (they may have demoted themselves). */
function useRefreshPeople(org: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ["members", org] }),
      queryClient.invalidateQueries({ queryKey: ["invitations", org] }),
      queryClient.invalidateQueries({ queryKey: ["orgs"] }),
    ]);
}

/** A member's role, changed when the form is sent (a select alone would act on every arrow key). */
function RoleForm({ org, member }: { org: string; member: Member }) {
  const [role, setRole] = useState<Role>(member.role ?? "CLIENT");
  const refresh = useRefreshPeople(org);
  const change = useMutation({
    mutationFn: () =>
      call(api.PATCH("/api/v1/orgs/{org}/members/{user}", { params: { path: { org, user: member.user_id ?? "" } }, body: { role } })),
    onSuccess: refresh,
    onError: () => setRole(member.role ?? "CLIENT"), // the select shows the role they still have
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    change.mutate();
  };
  return (
    <form className="inline role" onSubmit={submit} aria-label={`Role of ${member.email}`}>
      <label className="visually-hidden" htmlFor={`role-${member.user_id}`}>
        Role of {member.email}
      </label>
      <select id={`role-${member.user_id}`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
        {roles.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <button type="submit" className="secondary" disabled={change.isPending || role === member.role}>
        Change
      </button>
      <ErrorMessage error={change.error} />
    </form>
  );
}

/** Removing is asked twice: the member loses access at once. */
function Remove({ org, member }: { org: string; member: Member }) {
  const refresh = useRefreshPeople(org);
  const remove = useMutation({
    mutationFn: () => call(api.DELETE("/api/v1/orgs/{org}/members/{user}", { params: { path: { org, user: member.user_id ?? "" } } })),
    onSuccess: refresh,
  });
  return (
    <div className="inline">
      <AskTwice
        label="Remove"
        ariaLabel={`Remove ${member.email}`}
        confirm={`Yes, remove ${member.email}`}
        pending={remove.isPending}
        onConfirm={() => remove.mutate()}
      />
      <ErrorMessage error={remove.error} />
    </div>
  );
}

function InviteForm({ org }: { org: string }) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("CLIENT");
  const refresh = useRefreshPeople(org);
  const invite = useMutation({
    mutationFn: () => call(api.POST("/api/v1/orgs/{org}/members", { params: { path: { org } }, body: { email, role } })),
    onSuccess: () => {
      setEmail("");
      return refresh();
    },
  });
  const errors = fieldErrors(invite.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    invite.mutate();
  };
  return (
    <form className="invite" onSubmit={submit} noValidate aria-labelledby="invite-title">
      <h2 id="invite-title">Invite someone</h2>
      <Field label="Email" error={errors.email} hint="They join by the link we mail them, once signed in with this address.">
        <input type="email" autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
      </Field>
      <Field label="Role" error={errors.role}>
        <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </Field>
      {invite.isError && Object.keys(errors).length === 0 && <ErrorMessage error={invite.error} />}
      <p role="status" id="invited">
        {invite.isSuccess && `Invitation sent to ${invite.data.email}.`}
      </p>
      <button type="submit" disabled={invite.isPending}>
        Send invitation
      </button>
    </form>
  );
}

/** The invitations still waiting for an answer, newest first; revoking one makes its mailed link stop working. */
function Invitations({ org }: { org: string }) {
  const list = useInfiniteQuery({
    queryKey: ["invitations", org],
    queryFn: ({ pageParam }) =>
      call(api.GET("/api/v1/orgs/{org}/invitations", { params: { path: { org }, query: { cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor || undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items ?? []) ?? [];
  return (
    <section aria-labelledby="invitations-title">
      <h2 id="invitations-title">Pending invitations</h2>
      <ErrorMessage error={list.error} />
      {list.isPending ? (
        <p>Loading…</p>
      ) : items.length === 0 ? (
        <p>No invitation is waiting.</p>
      ) : (
        <table className="queue invitations">
          <caption className="visually-hidden">Pending invitations, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Invited by</th>
              <th scope="col">Expires</th>
              <th scope="col">Revoke</th>
            </tr>
          </thead>
          <tbody>
            {items.map((i) => (
              <tr key={i.id} data-email={i.email}>
                <td>{i.email}</td>
                <td>{i.role}</td>
                <td>{i.invited_by_email}</td>
                <td>{i.expires_at ? when(i.expires_at) : "—"}</td>
                <td>
                  <Revoke org={org} id={i.id ?? ""} email={i.email ?? ""} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.hasNextPage && (
        <button type="button" className="secondary" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          Show more
        </button>
      )}
    </section>
  );
}

function Revoke({ org, id, email }: { org: string; id: string; email: string }) {
  const refresh = useRefreshPeople(org);
  const revoke = useMutation({
    mutationFn: () => call(api.DELETE("/api/v1/orgs/{org}/invitations/{id}", { params: { path: { org, id } } })),
    onSuccess: refresh,
  });
  return (
    <div className="inline">
      <button type="button" className="secondary" aria-label={`Revoke the invitation of ${email}`} disabled={revoke.isPending} onClick={() => revoke.mutate()}>
        Revoke
      </button>
      <ErrorMessage error={revoke.error} />
    </div>
  );
}
