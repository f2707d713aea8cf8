package extract

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The SROIE measurement: go test -run '^$' -bench SROIE -benchtime 1x ./internal/extract/
// (-sroie.v lists every miss). OCR words come from the tesseract CLI, cached
// in a temporary directory so the extractor can be iterated on quickly.
var (
	sroieDir     = flag.String("sroie", "../../../shared/data/sroie", "SROIE data set directory (img/, key/)")
	sroieVerbose = flag.Bool("sroie.v", false, "log every mismatched field")
)

// The evaluation set and the past receipts whose keys are imported as vendors.
const (
	sroieEvalFirst, sroieEvalLast = 0, 59
	sroiePastFirst, sroiePastLast = 60, 399
)

var sroieFields = []string{FieldCompany, FieldDate, FieldAddress, FieldTotal}

func BenchmarkSROIE(b *testing.B) {
	keys := map[int]map[string]string{}
	for i := sroieEvalFirst; i <= sroiePastLast; i++ {
		k, err := readSROIEKey(filepath.Join(*sroieDir, "key", fmt.Sprintf("%03d.json", i)))
		if err != nil {
			b.Fatalf("reading SROIE keys (set -sroie to the data set): %v", err)
		}
		keys[i] = k
	}
	ensureTesseract(b)
	cache := filepath.Join(os.TempDir(), "astralis-extract-sroie")
	if err := os.MkdirAll(cache, 0o755); err != nil {
		b.Fatal(err)
	}
	docs := map[int][]Page{}
	for i := sroieEvalFirst; i <= sroieEvalLast; i++ {
		p, err := tesseractWords(filepath.Join(*sroieDir, "img", fmt.Sprintf("%03d.jpg", i)), filepath.Join(cache, fmt.Sprintf("%03d.tsv", i)))
		if err != nil {
			b.Fatal(err)
		}
		docs[i] = []Page{p}
	}
	b.ResetTimer()
	var cold, warm map[string]float64
	for range b.N {
		cold = evaluateSROIE(b, "cold", docs, keys, nil)
		var past []Vendor
		for i := sroiePastFirst; i <= sroiePastLast; i++ {
			past = append(past, Vendor{Name: keys[i][FieldCompany], Address: keys[i][FieldAddress]})
		}
		warm = evaluateSROIE(b, "warm", docs, keys, NewVendorIndex(past))
	}
	b.StopTimer()
	for _, f := range append(sroieFields, "mean") {
		b.ReportMetric(cold[f], "cold_"+f)
		b.ReportMetric(warm[f], "warm_"+f)
	}
	b.ReportMetric(cold["confident_share"], "cold_confident_share")
	b.ReportMetric(cold["confident_accuracy"], "cold_confident_accuracy")
	b.ReportMetric(warm["confident_share"], "warm_confident_share")
	b.ReportMetric(warm["confident_accuracy"], "warm_confident_accuracy")
}

// confidentAt is the confidence above which a field would skip review, for
// the calibration figures.
const confidentAt = 0.8

// evaluateSROIE measures each receipt in order and, when vendors is set,
// then learns its true fields as a reviewer would.
func evaluateSROIE(b *testing.B, name string, docs map[int][]Page, keys map[int]map[string]string, vendors *VendorIndex) map[string]float64 {
	hits := map[string]int{}
	confident, confidentRight, n := 0, 0, 0
	for i := sroieEvalFirst; i <= sroieEvalLast; i++ {
		res := Extract(docs[i], vendors)
		n++
		for _, f := range sroieFields {
			got := res.Fields[f]
			ok := Match(f, got.Value, keys[i][f])
			if ok {
				hits[f]++
			} else if *sroieVerbose {
				fmt.Fprintf(os.Stderr, "%s %03d %-7s got %q (%.2f) want %q\n", name, i, f, got.Value, got.Confidence, keys[i][f])
			}
			if got.Confidence >= confidentAt {
				confident++
				if ok {
					confidentRight++
				}
			}
		}
		if vendors != nil {
			vendors.Learn(keys[i])
		}
	}
	out := map[string]float64{}
	sum := 0.0
	for _, f := range sroieFields {
		out[f] = float64(hits[f]) / float64(n)
		sum += out[f]
	}
	out["mean"] = sum / float64(len(sroieFields))
	out["confident_share"] = float64(confident) / float64(n*len(sroieFields))
	if confident > 0 {
		out["confident_accuracy"] = float64(confidentRight) / float64(confident)
	}
	return out
}

func readSROIEKey(path string) (map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k := map[string]string{}
	return k, json.Unmarshal(raw, &k)
}

// ensureTesseract installs the Debian tesseract CLI when it is missing and we are root.
func ensureTesseract(b *testing.B) {
	if _, err := exec.LookPath("tesseract"); err == nil {
		return
	}
	if os.Geteuid() != 0 {
		b.Fatal("tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-eng)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for _, args := range [][]string{{"update", "-qq"}, {"install", "-y", "-qq", "tesseract-ocr", "tesseract-ocr-eng"}} {
		cmd := exec.CommandContext(ctx, "apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("apt-get %s: %v\n%s", args[0], err, out)
		}
	}
}

// tesseractWords OCRs an image with the tesseract CLI (TSV output, cached).
func tesseractWords(img, cached string) (Page, error) {
	raw, err := os.ReadFile(cached)
	if err != nil || len(raw) == 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "tesseract", img, "-", "tsv")
		cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
		if raw, err = cmd.Output(); err != nil {
			return Page{}, fmt.Errorf("tesseract %s: %w", img, err)
		}
		if err := os.WriteFile(cached, raw, 0o644); err != nil {
			return Page{}, err
		}
	}
	return parseTesseractTSV(raw)
}

// parseTesseractTSV reads tesseract's TSV: level 1 rows give the page size,
// level 5 rows the words. Fields are split on tabs by hand: a word may hold a
// quote, which encoding/csv would take for the start of a quoted field.
func parseTesseractTSV(raw []byte) (Page, error) {
	p := Page{Number: 1}
	rows := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	for _, r := range rows[1:] {
		row := strings.Split(r, "\t")
		if len(row) < 12 {
			continue
		}
		n := make([]int, 10)
		for i := range n {
			n[i], _ = strconv.Atoi(row[i])
		}
		left, top, width, height := n[6], n[7], n[8], n[9]
		switch n[0] {
		case 1:
			p.Width, p.Height = width, height
		case 5:
			text := strings.TrimSpace(row[11])
			if text == "" {
				continue
			}
			conf, _ := strconv.ParseFloat(row[10], 64)
			p.Words = append(p.Words, Word{Text: text, Confidence: conf / 100, Box: [4]int{left, top, left + width, top + height}})
		}
	}
	return p, nil
}
