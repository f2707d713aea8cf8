import type { Schemas } from "../api/client";

// The queue's items are documented as plain objects; they carry a request's summary fields.
export type IntakeSummary = Pick<
  Schemas["IntakeRequest"],
  "id" | "status" | "subject" | "contact" | "source" | "priority" | "routing" | "sla_breached" | "created_at"
>;

// The queue's filters as the URL's query names them: the API's own, and
// "from"/"to" as local days (YYYY-MM-DD), which the API takes as instants.
export const filterNames = ["status", "priority", "pipeline", "assignee", "from", "to", "q"] as const;
export type Filters = Partial<Record<(typeof filterNames)[number], string>>;

export function filtersFrom(params: URLSearchParams): Filters {
  const out: Filters = {};
  for (const name of filterNames) {
    const v = params.get(name);
    if (v) out[name] = v;
  }
  return out;
}

/** The API's query for filters: received since local midnight of "from", until the midnight after "to". */
export function queueQuery(f: Filters) {
  const { from, to, ...rest } = f;
  const midnight = (day: string, plus: number) => {
    const [y, m, d] = day.split("-").map(Number);
    return new Date(y, m - 1, d + plus).toISOString();
  };
  return {
    ...rest,
    since: from ? midnight(from, 0) : undefined,
    until: to ? midnight(to, 1) : undefined,
  };
}
