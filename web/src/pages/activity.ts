import type { Schemas } from "../api/client";

export type ActivityEvent = Schemas["ActivityEvent"];

/** How the audit log's actions read in the console, in the order the filter offers them. */
export const activityLabel: Record<string, string> = {
  "auth.signup": "Signed up",
  "auth.email.verified": "Confirmed the email address",
  "auth.signin.succeeded": "Signed in",
  "auth.signin.failed": "Sign-in refused",
  "auth.signin.rate_limited": "Sign-in slowed down",
  "auth.signout": "Signed out",
  "auth.password.reset_requested": "Asked to reset the password",
  "auth.password.reset": "Reset the password",
  "auth.google.linked": "Linked a Google account",
  "org.created": "Created the organisation",
  "org.member.invited": "Invited a member",
  "org.member.added": "Joined",
  "org.member.role_changed": "Changed a member's role",
  "org.member.removed": "Removed a member",
  "org.invitation.revoked": "Revoked an invitation",
  "org.token.created": "Created an API token",
  "org.token.revoked": "Revoked an API token",
  "pipeline.item.moved": "Moved an item",
  "pipeline.item.updated": "Updated an item",
  "document.rejected": "Rejected a document",
  "document.deleted": "Deleted a document",
  "document.legal_hold": "Changed a legal hold",
  "document.original_expired": "An original expired",
};

/** How many events a page of the activity lists holds. */
export const activityPageSize = 25;
