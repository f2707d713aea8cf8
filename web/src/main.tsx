import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "react-router";
import { router } from "./routes";
import { setUnauthorizedHandler } from "./api/client";
import { ProblemError } from "./api/problem";
import "./styles.css";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // 4xx answers do not change on a retry; a lost network may.
      retry: (failures, err) => !(err instanceof ProblemError) && failures < 3,
    },
  },
});

// A lost session sends the person to sign in, and back here afterwards.
setUnauthorizedHandler(() => {
  const here = location.pathname + location.search;
  if (location.pathname === "/sign-in") return;
  queryClient.clear();
  router.navigate(`/sign-in?next=${encodeURIComponent(here)}`, { replace: true });
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
