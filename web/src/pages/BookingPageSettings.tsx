import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import { call, fieldErrors, ProblemError } from "../api/problem";
import { Field } from "../components/Field";
import { ErrorMessage } from "../components/ErrorMessage";

/** The organisation's public booking page (ADMIN): its address and whether it is open. */
export function BookingPageSettings({ org }: { org: string }) {
  const page = useQuery({
    queryKey: ["booking-page", org],
    // 404 until the organisation has a page: no page yet, not an error.
    queryFn: () =>
      call(api.GET("/api/v1/orgs/{org}/booking-page", { params: { path: { org } } })).catch((err) => {
        if (err instanceof ProblemError && err.problem.status === 404) return null;
        throw err;
      }),
  });
  return (
    <section aria-labelledby="booking-page-heading">
      <h2 id="booking-page-heading">Public booking page</h2>
      <ErrorMessage error={page.error} />
      {page.isPending ? <p>Loading…</p> : !page.isError && <BookingPageForm org={org} slug={page.data?.slug ?? ""} enabled={page.data?.enabled ?? false} />}
    </section>
  );
}

function BookingPageForm(props: { org: string; slug: string; enabled: boolean }) {
  const { org } = props;
  const queryClient = useQueryClient();
  const [slug, setSlug] = useState(props.slug);
  const [enabled, setEnabled] = useState(props.enabled);
  const save = useMutation({
    mutationFn: () => call(api.PUT("/api/v1/orgs/{org}/booking-page", { params: { path: { org } }, body: { slug, enabled } })),
    onSuccess: (saved) => queryClient.setQueryData(["booking-page", org], saved),
  });
  const errors = fieldErrors(save.error);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const shown = save.data ?? (props.slug ? { slug: props.slug, enabled: props.enabled } : null);
  return (
    <form className="booking-page" onSubmit={submit} noValidate>
      <Field label="Address" error={errors.slug} hint="Lowercase letters, digits and -: the page is /book/ and this">
        <input name="slug" value={slug} onChange={(e) => setSlug(e.target.value)} />
      </Field>
      <label className="choice">
        <input type="checkbox" name="enabled" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        Open: anyone with the link can book
      </label>
      {save.isError && !errors.slug && <ErrorMessage error={save.error} />}
      <button type="submit" disabled={save.isPending}>
        Save the booking page
      </button>
      {shown && (
        <p role="status" id="booking-page-state">
          {shown.enabled ? (
            <>
              Open at <Link to={`/book/${shown.slug}`}>/book/{shown.slug}</Link>.
            </>
          ) : (
            "Closed: the page says nothing can be booked."
          )}
        </p>
      )}
    </form>
  );
}
