import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";

/** Creates an organisation, whose creator is its ADMIN, and opens it at its pipelines (its first need). */
export function CreateOrganisation() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const create = useMutation({
    mutationFn: () => call(api.POST("/api/v1/orgs", { body: { name } })),
    onSuccess: async (org) => {
      await queryClient.invalidateQueries({ queryKey: ["orgs"] });
      navigate(`/orgs/${org.id}/pipelines`);
    },
  });
  const errors = fieldErrors(create.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form className="create-org" onSubmit={submit} noValidate aria-labelledby="create-org-title">
      <h2 id="create-org-title">Create an organisation</h2>
      <Field label="Organisation name" error={errors.name}>
        <input value={name} maxLength={80} onChange={(e) => setName(e.target.value)} />
      </Field>
      {create.isError && Object.keys(errors).length === 0 && <ErrorMessage error={create.error} />}
      <button type="submit" disabled={create.isPending}>
        Create
      </button>
    </form>
  );
}
