import { Link, Outlet, useNavigate } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import { call } from "../api/problem";
import { OrgSwitcher } from "./OrgSwitcher";
import { OrgNav } from "./OrgNav";
import { ErrorMessage } from "../components/ErrorMessage";
import { NetworkStatus } from "../components/NetworkStatus";
import { useMe } from "./me";

/** The frame of every signed-in page; asking who is signed in sends a signed-out visitor to sign in. */
export function Layout() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useMe();
  const signOut = useMutation({
    mutationFn: () => call(api.POST("/api/v1/auth/logout")),
    onSuccess: () => {
      queryClient.clear();
      navigate("/sign-in");
    },
  });
  return (
    <>
      <header className="topbar">
        <Link to="/" className="brand">
          AstralisOps
        </Link>
        {me.data && <OrgSwitcher />}
        {me.data && <OrgNav />}
        {me.data && (
          <div className="who">
            <span>{me.data.email}</span>
            <Link to="/account">Account</Link>
            <button type="button" className="secondary" disabled={signOut.isPending} onClick={() => signOut.mutate()}>
              {signOut.isPending ? "Signing out…" : "Sign out"}
            </button>
          </div>
        )}
      </header>
      <main>
        <NetworkStatus />
        {/* Still signed in: say so, rather than let the person walk away believing otherwise. */}
        {signOut.isError && <ErrorMessage error={signOut.error} />}
        {me.isError ? <ErrorMessage error={me.error} /> : me.data ? <Outlet /> : <p>Loading…</p>}
      </main>
    </>
  );
}
