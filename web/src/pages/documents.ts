import type { Schemas } from "../api/client";

export type DocumentSummary = Schemas["DocumentSummary"];
export type DocumentView = Schemas["Document"];
export type DocumentField = Schemas["DocumentField"];

// The list's filters, as the URL's query and the API's parameters name them;
// cursor and limit are the page of the list the URL shows.
export const documentFilterNames = ["status", "vendor", "date_from", "date_to", "total_min", "total_max", "duplicate", "q", "cursor", "limit"] as const;
export type DocumentFilters = Partial<Record<(typeof documentFilterNames)[number], string>>;

export function documentFiltersFrom(params: URLSearchParams): DocumentFilters {
  const out: DocumentFilters = {};
  for (const name of documentFilterNames) {
    const v = params.get(name);
    if (v) out[name] = v;
  }
  return out;
}

// The fields a review may set, in the order the page shows them (the API's DocumentReview names).
export const reviewFields = ["company", "address", "date", "total", "subtotal", "tax", "currency", "number"] as const;

export const fieldLabel: Record<string, string> = {
  company: "Company",
  address: "Address",
  date: "Date",
  total: "Total",
  subtotal: "Subtotal",
  tax: "Tax",
  currency: "Currency",
  number: "Number",
};

// Documents on their way change on their own: poll them until they are read or refused.
export const settledDocument = new Set(["needs_review", "processed", "rejected", "failed"]);

export const kinds = ["receipt", "invoice", "form", "other"] as const;
