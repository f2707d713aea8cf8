package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/astralisops/astralis/internal/extract"
	"github.com/astralisops/astralis/internal/ocreval"
)

// runEvalDocuments measures document reading on the SROIE receipts (laid out
// like ../shared/data/sroie: img/, box/, key/) through the API of a fresh
// `astralis dev`, as customers would meet it:
//   - cold: a new organisation uploads the receipts that have images; OCR is
//     scored against box/ and the extracted fields against key/;
//   - warm: another organisation imports the company and address of the
//     receipts that have only keys as its vendors, then uploads the receipts
//     with images one at a time, in order; each is measured, then reviewed
//     with its true fields, as an operator would, so later ones benefit.
func runEvalDocuments(args []string) int {
	fs := flag.NewFlagSet("eval-documents", flag.ContinueOnError)
	dir := fs.String("data", "../shared/data/sroie", "folder with img/, box/ and key/")
	timeout := fs.Duration("timeout", 10*time.Minute, "how long one document may take to be read")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintf(os.Stderr, "astralis eval-documents: %v\n", err)
		return 1
	}
	set, err := loadSROIESet(*dir)
	if err != nil {
		return fail(err)
	}
	dev, err := startScratchDev("document-evaluation")
	if err != nil {
		return fail(err)
	}
	defer dev.Stop()
	s, err := signIn(dev.API, dev.AdminEmail, dev.AdminPass)
	if err != nil {
		return fail(err)
	}
	fmt.Printf("through the API of a fresh astralis dev at %s; %d CPUs, load average %s\n", dev.API, runtime.NumCPU(), machineLoad())
	fmt.Printf("receipts with images: %d (%03d–%03d); with keys only: %d (%03d–%03d)\n",
		len(set.withImage), set.withImage[0], set.withImage[len(set.withImage)-1], len(set.keyOnly), set.keyOnly[0], set.keyOnly[len(set.keyOnly)-1])
	fmt.Println(`both organisations set duplicate_policy "mark": the set holds identical images (012 = 015, 016 = 018) and each must be read`)
	fmt.Println(`the warm organisation sets review_threshold 1, so every document waits for review and can take the operator's correction`)

	cold, err := evalCold(s, set, *timeout)
	if err != nil {
		return fail(err)
	}
	warm, err := evalWarm(s, set, *timeout)
	if err != nil {
		return fail(err)
	}
	fmt.Printf("\n%-26s %10s %10s\n", "", "cold", "warm")
	fmt.Printf("%-26s %10.3f %10.3f\n", "OCR word F1", cold.meanF1(), warm.meanF1())
	fmt.Printf("%-26s %10.3f %10.3f\n", "OCR character error rate", cold.meanCER(), warm.meanCER())
	for _, f := range sroieFields {
		fmt.Printf("%-26s %9.1f%% %9.1f%%\n", f+" exact match", 100*cold.fieldShare(f), 100*warm.fieldShare(f))
	}
	fmt.Printf("%-26s %9.1f%% %9.1f%%\n", "average of the 4 fields", 100*cold.fieldMean(), 100*warm.fieldMean())
	fmt.Printf("%-26s %10d %10d\n", "documents", len(cold.receipts), len(warm.receipts))
	fmt.Printf("%-26s %10d %10d\n", "failed", cold.failed(), warm.failed())
	fmt.Printf("%-26s %10.1f %10.1f\n", "seconds", cold.elapsed.Seconds(), warm.elapsed.Seconds())
	fmt.Printf("\nwarm: %d vendors imported; %d documents reviewed with their true fields, %d could not be (%s)\n",
		warm.vendors, warm.reviewed, len(warm.receipts)-warm.reviewed, warm.reviewNote())
	fmt.Println("failed documents count as OCR word F1 0, character error rate 1 and no field matched")
	fmt.Printf("load average at the end: %s\n", machineLoad())
	return 0
}

// sroieSet is the data set's receipts with their ground truth.
type sroieSet struct {
	dir                string
	withImage, keyOnly []int
	boxes              map[int][]ocreval.SROIELine
	keys               map[int]ocreval.SROIEKey
}

func loadSROIESet(dir string) (*sroieSet, error) {
	withImage, keyOnly, err := ocreval.SROIEReceipts(dir)
	if err != nil {
		return nil, err
	}
	if len(withImage) == 0 || len(keyOnly) == 0 {
		return nil, fmt.Errorf("%s: want receipts with images and receipts with keys only", dir)
	}
	set := &sroieSet{dir: dir, withImage: withImage, keyOnly: keyOnly, boxes: map[int][]ocreval.SROIELine{}, keys: map[int]ocreval.SROIEKey{}}
	for _, id := range append(append([]int{}, withImage...), keyOnly...) {
		if set.keys[id], err = ocreval.LoadSROIEKey(dir, id); err != nil {
			return nil, err
		}
	}
	for _, id := range withImage {
		if set.boxes[id], err = ocreval.LoadSROIEBoxes(dir, id); err != nil {
			return nil, err
		}
	}
	return set, nil
}

// receiptResult is one receipt as the evaluation measured it.
type receiptResult struct {
	id      int
	status  string
	ocr     ocrScore
	matched map[string]bool
}

type evalRun struct {
	receipts []receiptResult
	elapsed  time.Duration
	// warm only
	vendors, reviewed int
	reviewErrors      []string
}

func (r *evalRun) meanF1() float64 {
	return r.mean(func(x receiptResult) float64 { return x.ocr.f1 })
}

func (r *evalRun) meanCER() float64 {
	return r.mean(func(x receiptResult) float64 { return x.ocr.cer })
}

func (r *evalRun) fieldShare(field string) float64 {
	return r.mean(func(x receiptResult) float64 {
		if x.matched[field] {
			return 1
		}
		return 0
	})
}

func (r *evalRun) fieldMean() float64 {
	var sum float64
	for _, f := range sroieFields {
		sum += r.fieldShare(f)
	}
	return sum / float64(len(sroieFields))
}

func (r *evalRun) mean(of func(receiptResult) float64) float64 {
	var sum float64
	for _, x := range r.receipts {
		sum += of(x)
	}
	return sum / float64(max(1, len(r.receipts)))
}

func (r *evalRun) failed() int {
	n := 0
	for _, x := range r.receipts {
		if x.status != "processed" && x.status != "needs_review" {
			n++
		}
	}
	return n
}

func (r *evalRun) reviewNote() string {
	if len(r.reviewErrors) == 0 {
		return "none refused"
	}
	return fmt.Sprintf("first: %s", r.reviewErrors[0])
}

// measure scores a settled document against receipt id's truth.
func (o *documentOrg) measure(set *sroieSet, id int, d documentStatus) (receiptResult, error) {
	res := receiptResult{id: id, status: d.Status, ocr: ocrScore{f1: 0, cer: 1}, matched: map[string]bool{}}
	if !d.read() {
		fmt.Fprintf(os.Stderr, "receipt %03d: %s (%s)\n", id, d.Status, d.Reason)
		return res, nil
	}
	words, text, err := o.words(d)
	if err != nil {
		return res, err
	}
	res.ocr = scoreOCR(words, text, set.boxes[id])
	want := keyFields(set.keys[id])
	for _, f := range sroieFields {
		res.matched[f] = extract.Match(f, d.Fields[f].Value, want[f])
	}
	return res, nil
}

// evalCold uploads every receipt with an image to a new organisation, then measures each.
func evalCold(s *apiSession, set *sroieSet, timeout time.Duration) (*evalRun, error) {
	org, err := newDocumentOrg(s, "Documents cold "+time.Now().Format(time.RFC3339), map[string]any{"duplicate_policy": "mark"}, 100*time.Millisecond)
	if err != nil {
		return nil, err
	}
	run := &evalRun{}
	start := time.Now()
	ids := make([]string, len(set.withImage))
	for i, id := range set.withImage {
		if ids[i], err = org.upload(ocreval.SROIEImage(set.dir, id)); err != nil {
			return nil, err
		}
	}
	settled := make([]documentStatus, len(ids))
	for i, docID := range ids {
		if settled[i], err = org.wait(docID, timeout); err != nil {
			return nil, err
		}
	}
	run.elapsed = time.Since(start)
	for i, id := range set.withImage {
		res, err := org.measure(set, id, settled[i])
		if err != nil {
			return nil, err
		}
		run.receipts = append(run.receipts, res)
	}
	fmt.Fprintf(os.Stderr, "cold: %d receipts read in %v\n", len(run.receipts), run.elapsed.Round(time.Second))
	return run, nil
}

// evalWarm imports the key-only receipts as vendors, then uploads, measures
// and reviews the receipts with images one at a time, in order.
func evalWarm(s *apiSession, set *sroieSet, timeout time.Duration) (*evalRun, error) {
	org, err := newDocumentOrg(s, "Documents warm "+time.Now().Format(time.RFC3339),
		map[string]any{"duplicate_policy": "mark", "review_threshold": 1}, 100*time.Millisecond)
	if err != nil {
		return nil, err
	}
	vendors := make([]map[string]string, 0, len(set.keyOnly))
	for _, id := range set.keyOnly {
		vendors = append(vendors, map[string]string{"name": set.keys[id].Company, "address": set.keys[id].Address})
	}
	var imported struct {
		Imported int `json:"imported"`
	}
	if err := s.call("POST", org.path+"/vendors", map[string]any{"vendors": vendors}, &imported); err != nil {
		return nil, err
	}
	run := &evalRun{vendors: imported.Imported}
	start := time.Now()
	for _, id := range set.withImage {
		docID, err := org.upload(ocreval.SROIEImage(set.dir, id))
		if err != nil {
			return nil, err
		}
		d, err := org.wait(docID, timeout)
		if err != nil {
			return nil, err
		}
		res, err := org.measure(set, id, d)
		if err != nil {
			return nil, err
		}
		run.receipts = append(run.receipts, res)
		if d.Status != "needs_review" {
			run.reviewErrors = append(run.reviewErrors, fmt.Sprintf("receipt %03d ended %s", id, d.Status))
			continue
		}
		fields := map[string]string{}
		for f, v := range keyFields(set.keys[id]) {
			if v != "" {
				fields[f] = v
			}
		}
		if err := s.call("POST", org.path+"/documents/"+docID+"/review", map[string]any{"fields": fields, "note": "SROIE key"}, nil); err != nil {
			run.reviewErrors = append(run.reviewErrors, fmt.Sprintf("receipt %03d: %v", id, err))
			fmt.Fprintf(os.Stderr, "receipt %03d: review refused: %v\n", id, err)
			continue
		}
		run.reviewed++
	}
	run.elapsed = time.Since(start)
	fmt.Fprintf(os.Stderr, "warm: %d receipts read and reviewed in %v\n", len(run.receipts), run.elapsed.Round(time.Second))
	return run, nil
}
