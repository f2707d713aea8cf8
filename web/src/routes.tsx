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
import { Services } from "./pages/Services";
import { Availability } from "./pages/Availability";
import { Bookings } from "./pages/Bookings";
import { NewBooking } from "./pages/NewBooking";
import { BookingDetails } from "./pages/BookingDetails";
import { Members } from "./pages/Members";
import { AcceptInvitation } from "./pages/AcceptInvitation";
import { Tokens } from "./pages/Tokens";
import { AuditLog } from "./pages/AuditLog";
import { Account } from "./pages/Account";
import { ForgotPassword } from "./pages/ForgotPassword";
import { ResetPassword } from "./pages/ResetPassword";
import { Vendors } from "./pages/Vendors";

export const router = createBrowserRouter([
  { path: "/sign-in", element: <SignIn /> },
  { path: "/sign-up", element: <SignUp /> },
  { path: "/verify-email", element: <VerifyEmail /> }, // the link mailed at sign-up
  { path: "/forgot-password", element: <ForgotPassword /> },
  { path: "/reset-password", element: <ResetPassword /> }, // the link the reset mail holds
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
      // The month grid loads when opened, keeping the first load small.
      { path: "/orgs/:org/calendar/month", lazy: () => import("./pages/MonthView").then((m) => ({ Component: m.MonthView })) },
      { path: "/orgs/:org/services", element: <Services /> },
      { path: "/orgs/:org/operators/:user_id/availability", element: <Availability /> },
      { path: "/orgs/:org/bookings", element: <Bookings /> },
      { path: "/orgs/:org/bookings/new", element: <NewBooking /> },
      { path: "/orgs/:org/bookings/:id", element: <BookingDetails /> },
      { path: "/orgs/:org/documents", element: <Documents /> },
      { path: "/orgs/:org/documents/:id", element: <DocumentPage /> },
      { path: "/orgs/:org/members", element: <Members /> },
      { path: "/orgs/:org/tokens", element: <Tokens /> },
      { path: "/orgs/:org/audit", element: <AuditLog /> },
      { path: "/account", element: <Account /> },
      // The link the invitation mail holds: signed-in, so a visitor signs in (or up) first and comes back.
      { path: "/accept-invitation", element: <AcceptInvitation /> },
      { path: "/orgs/:org/vendors", element: <Vendors /> },
      { path: "*", element: <NotFound /> },
    ],
  },
]);
