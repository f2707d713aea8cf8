import { createBrowserRouter } from "react-router";
import { Layout } from "./pages/Layout";
import { SignIn } from "./pages/SignIn";
import { SignUp } from "./pages/SignUp";
import { VerifyEmail } from "./pages/VerifyEmail";
import { Organisations } from "./pages/Organisations";
import { IntakeQueue } from "./pages/IntakeQueue";
import { IntakeRequest } from "./pages/IntakeRequest";
import { Pipelines } from "./pages/Pipelines";
import { SubmitRequest } from "./pages/SubmitRequest";
import { NotFound } from "./pages/NotFound";
import { PublicLayout } from "./pages/PublicLayout";
import { BookingPage } from "./pages/BookingPage";
import { ClientBooking } from "./pages/ClientBooking";
import { WeekView } from "./pages/WeekView";
import { Documents } from "./pages/Documents";
import { DocumentPage } from "./pages/DocumentPage";

export const router = createBrowserRouter([
  { path: "/sign-in", element: <SignIn /> },
  { path: "/sign-up", element: <SignUp /> },
  { path: "/verify-email", element: <VerifyEmail /> }, // the link mailed at sign-up
  // Clients without an account: an organisation's booking page and the page behind their mailed link.
  {
    element: <PublicLayout />,
    children: [
      { path: "/book/:slug", element: <BookingPage /> },
      { path: "/bookings/:token", element: <ClientBooking /> },
    ],
  },
  {
    element: <Layout />,
    children: [
      { path: "/", element: <Organisations /> },
      { path: "/orgs/:org/intake", element: <IntakeQueue /> },
      { path: "/orgs/:org/intake/:id", element: <IntakeRequest /> },
      { path: "/orgs/:org/submit", element: <SubmitRequest /> },
      { path: "/orgs/:org/pipelines", element: <Pipelines /> },
      // dnd-kit loads with the board, not on a first visit.
      { path: "/orgs/:org/pipelines/:key", lazy: () => import("./pages/Board").then((m) => ({ Component: m.Board })) },
      // The charts and the routing settings are for staff: loaded when opened.
      { path: "/orgs/:org/dashboard", lazy: () => import("./pages/Dashboard").then((m) => ({ Component: m.Dashboard })) },
      { path: "/orgs/:org/routing", lazy: () => import("./pages/Routing").then((m) => ({ Component: m.Routing })) },
      { path: "/orgs/:org/calendar", element: <WeekView /> },
      { path: "/orgs/:org/documents", element: <Documents /> },
      { path: "/orgs/:org/documents/:id", element: <DocumentPage /> },
      { path: "*", element: <NotFound /> },
    ],
  },
]);
