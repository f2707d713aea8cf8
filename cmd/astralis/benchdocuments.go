package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"time"

	"github.com/astralisops/astralis/internal/ocr"
	"github.com/astralisops/astralis/internal/ocreval"
)

// runBenchDocuments measures, in one run on the SROIE receipts that have
// images, the time per page of:
//   - bare gosseract: one client on the raw JPEG, in this process;
//   - end to end through the API of a fresh `astralis dev`: POST the file,
//     then poll until the document is read and extracted (processed or
//     needs_review), with 1 and with 2 documents in flight;
//   - the anchors: the tesseract CLI and ocrmypdf, a process per page.
//
// Each measurement starts on a settled machine (see settle) and reports the
// word F1 and character error rate of what it read against box/.
func runBenchDocuments(args []string) int {
	// Before anything else: this process reads with gosseract (see ocr.EnsureOpenMPThreadLimit).
	if err := ocr.EnsureOpenMPThreadLimit(); err != nil {
		fmt.Fprintf(os.Stderr, "astralis bench-documents: %v\n", err)
		return 1
	}
	fs := flag.NewFlagSet("bench-documents", flag.ContinueOnError)
	dir := fs.String("data", "../shared/data/sroie", "folder with img/ and box/")
	poll := fs.Duration("poll", 20*time.Millisecond, "how often a document's status is read while it is processed")
	toolTimeout := fs.Duration("tool-timeout", 2*time.Minute, "how long the tesseract CLI or ocrmypdf may take on one page")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "astralis bench-documents: %v\n", err)
		return 1
	}
	for _, tool := range []string{"tesseract", "ocrmypdf"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fail(fmt.Errorf("%s not found: the anchors need the Debian packages tesseract-ocr and ocrmypdf (make bench-documents installs them when run as root)", tool))
		}
	}
	set, err := loadSROIESet(*dir)
	if err != nil {
		return fail(err)
	}
	images := make([]string, len(set.withImage))
	for i, id := range set.withImage {
		images[i] = ocreval.SROIEImage(set.dir, id)
	}

	dev, err := startScratchDev("document-benchmark")
	if err != nil {
		return fail(err)
	}
	defer dev.Stop()
	s, err := signIn(dev.API, dev.AdminEmail, dev.AdminPass)
	if err != nil {
		return fail(err)
	}
	fmt.Printf("%d receipts (%03d–%03d), one page each, on %d CPUs; load average before: %s\n",
		len(images), set.withImage[0], set.withImage[len(set.withImage)-1], runtime.NumCPU(), machineLoad())
	fmt.Printf("end to end: a fresh astralis dev (embedded Temporal, private PostgreSQL, S3 server and clamd), status polled every %v;\n", *poll)
	fmt.Println(`each phase uses a new organisation with duplicate_policy "mark" (the set holds two pairs of identical images)`)

	// Warm up the stack (connections, the OCR pool's first pages) before measuring.
	warm, err := newDocumentOrg(s, "Warm-up", map[string]any{"duplicate_policy": "mark"}, *poll)
	if err != nil {
		return fail(err)
	}
	if _, err := warm.timedRun(images[:min(4, len(images))], 2); err != nil {
		return fail(err)
	}

	var rows []benchRow
	measure := func(name string, run func() (benchRow, error)) error {
		settle(5 * time.Second)
		fmt.Fprintf(os.Stderr, "measuring %s (load average %s)\n", name, machineLoad())
		row, err := run()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		row.name = name
		rows = append(rows, row)
		return nil
	}
	local := func(read func(path string) (ocr.Page, error)) func() (benchRow, error) {
		return func() (benchRow, error) { return readLocally(set, images, read) }
	}
	endToEnd := func(inFlight int) func() (benchRow, error) {
		return func() (benchRow, error) {
			org, err := newDocumentOrg(s, fmt.Sprintf("Benchmark, %d in flight", inFlight), map[string]any{"duplicate_policy": "mark"}, *poll)
			if err != nil {
				return benchRow{}, err
			}
			return org.benchEndToEnd(set, images, inFlight)
		}
	}
	bare := ocr.NewBareGosseract()
	defer bare.Close()
	steps := []struct {
		name string
		run  func() (benchRow, error)
	}{
		{"bare gosseract (raw JPEG, one client)", local(bare.Read)},
		{"end to end, 1 in flight", endToEnd(1)},
		{"end to end, 2 in flight", endToEnd(2)},
		{"tesseract CLI (tsv)", local(func(path string) (ocr.Page, error) {
			ctx, cancel := context.WithTimeout(context.Background(), *toolTimeout)
			defer cancel()
			return ocr.ReadWithTesseractCLI(ctx, path)
		})},
		{"ocrmypdf (then its text layer)", func() (benchRow, error) {
			e, err := ocr.NewEngine(1, ocr.DefaultLimits()) // reads ocrmypdf's text layer with pdftotext
			if err != nil {
				return benchRow{}, err
			}
			defer e.Close()
			work, err := os.MkdirTemp("", "astralis-ocrmypdf-")
			if err != nil {
				return benchRow{}, err
			}
			defer os.RemoveAll(work)
			return readLocally(set, images, func(path string) (ocr.Page, error) {
				ctx, cancel := context.WithTimeout(context.Background(), *toolTimeout)
				defer cancel()
				return ocr.ReadWithOcrmypdf(ctx, e, path, work)
			})
		}},
	}
	for _, step := range steps {
		if err := measure(step.name, step.run); err != nil {
			return fail(err)
		}
	}
	bareRow, one, two, ocrmypdfRow := rows[0], rows[1], rows[2], rows[4]

	fmt.Printf("\n%-40s %9s %9s %9s %7s %7s\n", "", "ms/page", "pages/s", "word F1", "CER", "failed")
	for _, r := range rows {
		fmt.Printf("%-40s %9.0f %9.2f %9.3f %7.3f %7d\n", r.name, r.msPerPage(), 1000/r.msPerPage(), r.f1, r.cer, r.failed)
	}
	fmt.Printf("\n%-52s %6.2f ×\n", "end to end (1 in flight) / bare gosseract, per page", one.msPerPage()/bareRow.msPerPage())
	fmt.Printf("%-52s %6.2f ×\n", "throughput, 2 in flight / 1 in flight", two.pagesPerSecond()/one.pagesPerSecond())
	fmt.Printf("%-52s %6.2f ×   (word F1 %.3f ocrmypdf, %.3f end to end)\n", "ocrmypdf / end to end (1 in flight), per page",
		ocrmypdfRow.msPerPage()/one.msPerPage(), ocrmypdfRow.f1, one.f1)
	for _, r := range []benchRow{one, two} {
		fmt.Printf("%-52s %6.0f ms p50, %.0f ms p90, %.0f ms max\n", r.name+": POST → fields", ms(r.latency(0.5)), ms(r.latency(0.9)), ms(r.latency(1)))
	}
	fmt.Printf("load average at the end: %s\n", machineLoad())
	return 0
}

// benchRow is one way of reading the receipts, measured.
type benchRow struct {
	name      string
	pages     int
	elapsed   time.Duration   // wall time of the whole phase
	latencies []time.Duration // per document (end to end only)
	f1, cer   float64         // means over the receipts
	failed    int
}

func (r benchRow) msPerPage() float64      { return ms(r.elapsed) / float64(max(1, r.pages)) }
func (r benchRow) pagesPerSecond() float64 { return float64(r.pages) / r.elapsed.Seconds() }

func (r benchRow) latency(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	s := slices.Clone(r.latencies)
	slices.Sort(s)
	return s[int(p*float64(len(s)-1))]
}

// readLocally reads each image in turn with read, in this process or a tool
// it starts, timing the reads only.
func readLocally(set *sroieSet, images []string, read func(path string) (ocr.Page, error)) (benchRow, error) {
	row := benchRow{pages: len(images)}
	var f1, cer float64
	for i, path := range images {
		start := time.Now()
		p, err := read(path)
		row.elapsed += time.Since(start)
		if err != nil {
			return row, fmt.Errorf("%s: %w", path, err)
		}
		words := make([]string, len(p.Words))
		for j, w := range p.Words {
			words[j] = w.Text
		}
		score := scoreOCR(words, p.Text(), set.boxes[set.withImage[i]])
		f1, cer = f1+score.f1, cer+score.cer
	}
	row.f1, row.cer = f1/float64(len(images)), cer/float64(len(images))
	return row, nil
}

// benchEndToEnd uploads the images, inFlight at a time, each until it is read
// and extracted, then scores the words the API answers for each.
func (o *documentOrg) benchEndToEnd(set *sroieSet, images []string, inFlight int) (benchRow, error) {
	run, err := o.timedRun(images, inFlight)
	if err != nil {
		return benchRow{}, err
	}
	row := benchRow{elapsed: run.elapsed, latencies: run.latencies}
	var f1, cer float64
	for i, d := range run.docs {
		row.pages += max(1, d.PagesTotal)
		score := ocrScore{f1: 0, cer: 1}
		if d.read() {
			words, text, err := o.words(d)
			if err != nil {
				return row, err
			}
			score = scoreOCR(words, text, set.boxes[set.withImage[i]])
		} else {
			row.failed++
			fmt.Fprintf(os.Stderr, "%s: %s (%s)\n", images[i], d.Status, d.Reason)
		}
		f1, cer = f1+score.f1, cer+score.cer
	}
	row.f1, row.cer = f1/float64(len(images)), cer/float64(len(images))
	return row, nil
}

// timedDocuments is a timed run of uploads.
type timedDocuments struct {
	elapsed   time.Duration
	latencies []time.Duration // POST → settled, per document
	docs      []documentStatus
}

// timedRun uploads the images, inFlight at a time, each until it has settled.
func (o *documentOrg) timedRun(images []string, inFlight int) (timedDocuments, error) {
	run := timedDocuments{latencies: make([]time.Duration, len(images)), docs: make([]documentStatus, len(images))}
	start := time.Now()
	err := inParallel(len(images), inFlight, func(i int) error {
		t0 := time.Now()
		id, err := o.upload(images[i])
		if err != nil {
			return err
		}
		d, err := o.wait(id, 10*time.Minute)
		if err != nil {
			return err
		}
		run.latencies[i], run.docs[i] = time.Since(t0), d // each call writes its own index
		return nil
	})
	run.elapsed = time.Since(start)
	return run, err
}
