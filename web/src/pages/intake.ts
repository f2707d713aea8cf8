import type { Schemas } from "../api/client";

// The queue's items are documented as plain objects; they carry a request's summary fields.
export type IntakeSummary = Pick<
  Schemas["IntakeRequest"],
  "id" | "status" | "subject" | "contact" | "source" | "priority" | "routing" | "sla_breached" | "created_at"
>;

// The queue's filters, as the URL's query and the API's parameters name them.
export const filterNames = ["status", "priority", "pipeline", "q"] as const;
export type Filters = Partial<Record<(typeof filterNames)[number], string>>;

export function filtersFrom(params: URLSearchParams): Filters {
  const out: Filters = {};
  for (const name of filterNames) {
    const v = params.get(name);
    if (v) out[name] = v;
  }
  return out;
}
