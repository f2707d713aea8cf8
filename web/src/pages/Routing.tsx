import { useState, type FormEvent } from "react";
import { useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, type Schemas } from "../api/client";
import { call, fieldErrors } from "../api/problem";
import { Field } from "../components/Field";
import { CsvImport, csvBody } from "../components/CsvImport";
import { ErrorMessage } from "../components/ErrorMessage";
import { usePipelines } from "./pipelines";

type Settings = Schemas["RoutingSettings"];

/** An ADMIN's routing: its settings, a text tried against the router, and past routings imported from CSV. */
export function Routing() {
  const { org = "" } = useParams();
  const settings = useQuery({
    queryKey: ["routing", org, "settings"],
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/routing/settings", { params: { path: { org } } })),
  });
  if (settings.isError) {
    return (
      <>
        <h1>Routing</h1>
        <ErrorMessage error={settings.error} />
      </>
    );
  }
  if (!settings.data) return <p>Loading…</p>;
  return (
    <>
      <h1>Routing</h1>
      <p className="muted">
        A request the router is at least as confident about as the threshold goes to its pipeline by itself; any other waits for an
        operator.
      </p>
      <SettingsForm org={org} saved={settings.data} />
      <TryText org={org} threshold={settings.data.threshold ?? 0} />
      <ImportHistory org={org} />
    </>
  );
}

function SettingsForm({ org, saved }: { org: string; saved: Settings }) {
  const queryClient = useQueryClient();
  const [threshold, setThreshold] = useState(String(saved.threshold ?? ""));
  // Shown in whole minutes; the stored seconds go back as they are unless the minutes are changed,
  // so a save of another setting does not round 90 s to 2 min (or 20 s to 0, the default).
  const savedMinutes = String(Math.round((saved.escalate_after_seconds ?? 0) / 60));
  const [escalate, setEscalate] = useState(savedMinutes);
  const [llm, setLLM] = useState(saved.llm_enabled ?? false);
  const [model, setModel] = useState(saved.llm_model ?? "");
  const [blank, setBlank] = useState(false);
  const save = useMutation({
    // PUT replaces the settings: every one is sent.
    mutationFn: (s: Settings) => call(api.PUT("/api/v1/orgs/{org}/routing/settings", { params: { path: { org } }, body: s })),
    onSuccess: (s) => queryClient.setQueryData(["routing", org, "settings"], s),
  });
  const errors = fieldErrors(save.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    // An empty number field would be sent as 0 (route everything by itself): ask for it instead.
    setBlank(threshold.trim() === "");
    if (threshold.trim() === "") return;
    save.mutate({ threshold: Number(threshold), escalate_after_seconds: escalate === savedMinutes ? saved.escalate_after_seconds : Math.round(Number(escalate) * 60), llm_enabled: llm, llm_model: model });
  };
  return (
    <form className="routing-settings" onSubmit={submit} noValidate aria-labelledby="routing-settings">
      <h2 id="routing-settings">Settings</h2>
      <Field
        label="Threshold"
        error={blank ? "Enter a number from 0 to 1." : errors.threshold}
        hint="From 0 to 1: at 1 every request waits for an operator, at 0 none does."
      >
        <input name="threshold" type="number" inputMode="decimal" min={0} max={1} step={0.05} value={threshold} onChange={(e) => setThreshold(e.target.value)} />
      </Field>
      <Field label="Mail the ADMINs after (minutes)" error={errors.escalate_after_seconds} hint="How long a request may wait for an operator.">
        <input name="escalate" type="number" inputMode="numeric" min={1} value={escalate} onChange={(e) => setEscalate(e.target.value)} />
      </Field>
      <div className="field">
        <label className="choice">
          <input name="llm_enabled" type="checkbox" checked={llm} onChange={(e) => setLLM(e.target.checked)} /> Ask the language model
          when the local router is unsure
        </label>
      </div>
      <Field label="Language model" error={errors.llm_model} hint="Empty for the configured default.">
        <input name="llm_model" value={model} maxLength={100} onChange={(e) => setModel(e.target.value)} />
      </Field>
      {save.isError && Object.keys(errors).length === 0 && <ErrorMessage error={save.error} />}
      <button type="submit" disabled={save.isPending}>
        Save the settings
      </button>
      <p role="status" className="saved">
        {save.isSuccess && !save.isPending ? "Saved." : ""}
      </p>
    </form>
  );
}

function TryText({ org, threshold }: { org: string; threshold: number }) {
  const [text, setText] = useState("");
  const pipelines = usePipelines(org);
  const classify = useMutation({
    mutationFn: (t: string) => call(api.POST("/api/v1/orgs/{org}/routing/classify", { params: { path: { org } }, body: { text: t } })),
  });
  const errors = fieldErrors(classify.error);
  const d = classify.data;
  const name = pipelines.data?.find((p) => p.key === d?.pipeline)?.name;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    classify.mutate(text);
  };
  return (
    <form className="try-text" onSubmit={submit} noValidate aria-labelledby="try-text">
      <h2 id="try-text">Try a text</h2>
      <Field label="A request as a client might write it" error={errors.text} hint="Nothing is stored.">
        <textarea name="text" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
      </Field>
      {classify.isError && Object.keys(errors).length === 0 && <ErrorMessage error={classify.error} />}
      <button type="submit" disabled={classify.isPending}>
        Try it
      </button>
      <div role="status">
        {d && !classify.isPending && (
          <dl className="facts proposal" data-pipeline={d.pipeline}>
            <dt>Pipeline</dt>
            <dd>{name ? `${name} (${d.pipeline})` : d.pipeline}</dd>
            <dt>Confidence</dt>
            <dd>
              {Math.round((d.confidence ?? 0) * 100)}%:{" "}
              {(d.confidence ?? 0) >= threshold ? "it would go there by itself" : "it would wait for an operator"}
            </dd>
            <dt>Why</dt>
            <dd>{d.reason}</dd>
          </dl>
        )}
      </div>
    </form>
  );
}

// The import's field errors in the file's terms: examples[i] is the CSV's row i + 2 (after the header).
function fileProblems(errors: Record<string, string>): string | undefined {
  const said = Object.entries(errors).map(([field, message]) => {
    const row = /^examples\[(\d+)\]/.exec(field);
    if (row) return `Line ${Number(row[1]) + 2}: ${message}.`;
    if (field === "header") return `The first line ${message}.`;
    if (field === "pipeline") return `Pipelines: ${message}.`;
    return `Examples: ${message}.`;
  });
  return said.length ? said.join(" ") : undefined;
}

function ImportHistory({ org }: { org: string }) {
  return (
    <CsvImport
      className="import-history"
      title="Import past routings"
      hint="The first line text,pipeline, then one past request per line and the key of the pipeline it went to. All or nothing."
      rows="examples"
      send={(file) => call(api.POST("/api/v1/orgs/{org}/routing/examples", { params: { path: { org } }, ...csvBody(file) }))}
      inFileTerms={fileProblems}
    />
  );
}
