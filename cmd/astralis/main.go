// Command astralis is the all-in-one development binary and admin CLI:
//
//	astralis dev        run everything in one process (embedded Temporal + Web UI, PostgreSQL, API, worker)
//	astralis migrate    apply database migrations and exit
//	astralis testenv -- CMD…  start the test dependencies, run CMD with their addresses, stop them
//	astralis admin create-user …  create a verified account in an organisation
//
// It is the only binary that links the Temporal server.
package main

import (
	"fmt"
	"os"

	"github.com/astralisops/astralis/internal/devs3"
)

const usage = `usage: astralis <command> [flags]

commands:
  dev       run API, worker, embedded Temporal server and Web UI, and PostgreSQL in one process
  migrate   apply pending database migrations (DATABASE_URL) and exit
  testenv   start PostgreSQL and Temporal for tests, run the command after --, stop them
  admin create-user --email E --password P --org ORG [--role ROLE]
            create a verified account in an organisation (no email round trip)
  eval-routing [--data DIR]
            measure routing on a labelled data set (../shared/data/banking77), through the API
  eval-documents [--data DIR]
            measure reading receipts (../shared/data/sroie: OCR and fields, cold and warm), through the API
  bench [--n N] [--concurrency C]
            the engine's ceiling beside end-to-end intakes per second, on a fresh astralis dev
  bench-documents [--data DIR]
            seconds per page end to end (1 and 2 in flight) beside bare gosseract, tesseract and ocrmypdf
  crash-test [--n N]
            kill -9 astralis dev during N in-flight intakes, restart, check each ended once
  crash-test-documents [--pages N]
            kill -9 astralis dev halfway through reading an N-page scan, restart, check it finished once
  crash-test-bookings
            kill -9 astralis dev between a booking and its reminder, restart, check the reminder is mailed once
  crash-test-calendar
            kill -9 astralis dev mid-sync of a 1,000-event Google Calendar (a fake), restart, check nothing was lost or doubled
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var code int
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "dev":
		code = runDev(args)
	case "migrate":
		code = runMigrate(args)
	case "testenv":
		code = runTestEnv(args)
	case "admin":
		code = runAdmin(args)
	case "eval-routing":
		code = runEvalRouting(args)
	case "eval-documents":
		code = runEvalDocuments(args)
	case "bench":
		code = runBench(args)
	case "bench-documents":
		code = runBenchDocuments(args)
	case "crash-test":
		code = runCrashTest(args)
	case "crash-test-documents":
		code = runCrashTestDocuments(args)
	case "crash-test-bookings":
		code = runCrashTestBookings(args)
	case "crash-test-calendar":
		code = runCrashTestCalendar(args)
	case devs3.ServeCommand:
		code = runDevS3()
	case "help", "-h", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "astralis: unknown command %q\n\n%s", cmd, usage)
		code = 2
	}
	os.Exit(code)
}
