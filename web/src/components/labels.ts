// How the API's enum values read in the console.
export const statusLabel: Record<string, string> = {
  received: "Received",
  awaiting_approval: "Awaiting approval",
  routed: "Routed",
  rejected: "Rejected",
};

export const priorities = ["low", "normal", "high", "urgent"] as const;

export function label(value: string | undefined | null): string {
  if (!value) return "—";
  return statusLabel[value] ?? value.charAt(0).toUpperCase() + value.slice(1);
}

// A document's statuses, in the order a document goes through them.
export const documentStatusLabel: Record<string, string> = {
  received: "Received",
  scanning: "Scanning",
  processing: "Reading",
  needs_review: "Needs review",
  processed: "Processed",
  rejected: "Rejected",
  failed: "Failed",
};

export function documentLabel(status: string | undefined | null): string {
  return (status && documentStatusLabel[status]) || label(status);
}
