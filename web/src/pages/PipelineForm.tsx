import { useState, type FormEvent } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";
import { stageNames } from "./pipelines";

const defaultStages = "New\nIn progress\nDone";

/** An ADMIN's form for a new pipeline and its ordered stages. */
export function PipelineForm({ org }: { org: string }) {
  const queryClient = useQueryClient();
  const [key, setKey] = useState("");
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [stages, setStages] = useState(defaultStages);
  const create = useMutation({
    mutationFn: () =>
      call(
        api.POST("/api/v1/orgs/{org}/pipelines", {
          params: { path: { org } },
          body: { key, name, description: description || undefined, stages: stageNames(stages) },
        }),
      ),
    onSuccess: () => {
      setKey("");
      setName("");
      setDescription("");
      setStages(defaultStages);
      return queryClient.invalidateQueries({ queryKey: ["pipelines", org] });
    },
  });
  const errors = fieldErrors(create.error);
  // Stage errors come as stages[i]; they all belong beside the one stages field.
  const stagesError = Object.entries(errors).find(([f]) => f.startsWith("stages"))?.[1];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form className="pipeline-form" onSubmit={submit} noValidate aria-labelledby="new-pipeline-title">
      <h2 id="new-pipeline-title">New pipeline</h2>
      <Field label="Key" error={errors.key} hint="Lower-case letters, digits, - and _; it names the pipeline in routing.">
        <input name="key" value={key} onChange={(e) => setKey(e.target.value)} />
      </Field>
      <Field label="Name" error={errors.name}>
        <input name="name" value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
      <Field label="Description" error={errors.description} hint="What belongs here: the local router learns from it.">
        <textarea name="description" rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
      </Field>
      <Field label="Stages" error={stagesError} hint="One a line, in order.">
        <textarea name="stages" rows={4} value={stages} onChange={(e) => setStages(e.target.value)} />
      </Field>
      {create.isError && Object.keys(errors).length === 0 && <ErrorMessage error={create.error} />}
      {create.isSuccess && <p role="status">Pipeline {create.data.name} created.</p>}
      <button type="submit" disabled={create.isPending}>
        Create pipeline
      </button>
    </form>
  );
}
