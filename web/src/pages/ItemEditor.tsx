import { useState, type FormEvent } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";
import type { Item } from "./board";

// A date input's day, and back: due dates are kept as the start of the chosen local day.
const day = (at?: string) => (at ? new Date(at).toLocaleDateString("sv") : "");
const startOf = (d: string) => (d ? new Date(`${d}T00:00`).toISOString() : null);

/** Edits an item's title, assignee (an OPERATOR or ADMIN) and due date; only what changed is sent. */
export function ItemEditor({ org, item, onDone }: { org: string; item: Item; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [title, setTitle] = useState(item.title ?? "");
  const [assignee, setAssignee] = useState(item.assignee_id ?? "");
  const [due, setDue] = useState(day(item.due_at));
  const members = useQuery({
    queryKey: ["members", org],
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/members", { params: { path: { org } } })),
    select: (page) => (page.items ?? []).filter((m) => m.role === "OPERATOR" || m.role === "ADMIN"),
  });
  const save = useMutation({
    mutationFn: () => {
      const body: { title?: string; assignee_id?: string | null; due_at?: string | null } = {};
      if (title !== item.title) body.title = title;
      if (assignee !== (item.assignee_id ?? "")) body.assignee_id = assignee || null;
      if (due !== day(item.due_at)) body.due_at = startOf(due);
      return call(api.PATCH("/api/v1/orgs/{org}/items/{id}", { params: { path: { org, id: item.id! } }, body }));
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["board", org] });
      onDone();
    },
  });
  const errors = fieldErrors(save.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (title === item.title && assignee === (item.assignee_id ?? "") && due === day(item.due_at)) return onDone();
    save.mutate();
  };
  return (
    <form className="item-editor" onSubmit={submit} noValidate>
      <Field label="Title" error={errors.title}>
        <input value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />
      </Field>
      <Field label="Assignee" error={errors.assignee_id}>
        <select value={assignee} onChange={(e) => setAssignee(e.target.value)}>
          <option value="">Nobody</option>
          {members.data?.map((m) => (
            <option key={m.user_id} value={m.user_id}>
              {m.name || m.email}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Due" error={errors.due_at}>
        <input type="date" value={due} onChange={(e) => setDue(e.target.value)} />
      </Field>
      {save.isError && Object.keys(errors).length === 0 && <ErrorMessage error={save.error} />}
      <button type="submit" disabled={save.isPending}>
        Save
      </button>{" "}
      <button type="button" className="secondary" onClick={onDone}>
        Cancel
      </button>
    </form>
  );
}
