package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/astralisops/astralis/internal/extract"
	"github.com/astralisops/astralis/internal/ocreval"
)

// The documents API as the evaluation and the benchmark use it: an
// organisation's uploads, their status, their pages and reviews.

// documentStatus is what GET …/documents/{id} answers that they read.
type documentStatus struct {
	ID         string `json:"id"`
	Status     string `json:"status"`
	Reason     string `json:"reason"`
	PagesTotal int    `json:"pages_total"`
	PagesDone  int    `json:"pages_done"`
	Fields     map[string]struct {
		Value string `json:"value"`
	} `json:"fields"`
}

// settled tells whether a document has finished processing: read and
// extracted (processed or waiting for review), or given up on.
func (d documentStatus) settled() bool {
	switch d.Status {
	case "processed", "needs_review", "failed", "rejected":
		return true
	}
	return false
}

// read tells whether the document was read and extracted.
func (d documentStatus) read() bool { return d.Status == "processed" || d.Status == "needs_review" }

// documentPage is GET …/documents/{id}/pages/{n}.
type documentPage struct {
	Text  string `json:"text"`
	Words []struct {
		Text string `json:"text"`
	} `json:"words"`
}

// documentOrg is a signed-in session on one organisation's documents.
type documentOrg struct {
	s    *apiSession
	path string // /api/v1/orgs/{id}
	// poll is how often a waiting document's status is read.
	poll time.Duration
}

// signIn opens a session on api as email.
func signIn(api, email, password string) (*apiSession, error) {
	jar, _ := cookiejar.New(nil)
	s := &apiSession{base: api, http: &http.Client{Jar: jar, Timeout: 5 * time.Minute}}
	if err := s.call("POST", "/api/v1/auth/login", map[string]string{"email": email, "password": password}, nil); err != nil {
		return nil, err
	}
	return s, nil
}

// newDocumentOrg creates an organisation named name with the given document settings.
func newDocumentOrg(s *apiSession, name string, settings map[string]any, poll time.Duration) (*documentOrg, error) {
	var org struct {
		ID string `json:"id"`
	}
	if err := s.call("POST", "/api/v1/orgs", map[string]string{"name": name}, &org); err != nil {
		return nil, err
	}
	o := &documentOrg{s: s, path: "/api/v1/orgs/" + org.ID, poll: poll}
	if len(settings) > 0 {
		if err := s.call("PUT", o.path+"/documents/settings", settings, nil); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// upload posts the file at path as the multipart field `file` and returns the new document's id.
func (o *documentOrg) upload(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return o.uploadBytes(filepath.Base(path), data, "")
}

// uploadBytes posts data as a file named name, with an Idempotency-Key when
// key is not empty (a retry with the same key answers the same document).
func (o *documentOrg) uploadBytes(name string, data []byte, key string) (string, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		return "", err
	}
	fw.Write(data)
	if err := mw.WriteField("kind", "receipt"); err != nil {
		return "", err
	}
	mw.Close()
	req, err := http.NewRequest("POST", o.s.base+o.path+"/documents", &body)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", o.s.base)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := o.s.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusAccepted {
		return "", fmt.Errorf("upload %s: %d %s", name, resp.StatusCode, reply)
	}
	var up documentStatus
	if err := json.Unmarshal(reply, &up); err != nil {
		return "", err
	}
	return up.ID, nil
}

// wait polls the document until it has settled, for at most timeout.
func (o *documentOrg) wait(id string, timeout time.Duration) (documentStatus, error) {
	deadline := time.Now().Add(timeout)
	for {
		var d documentStatus
		if err := o.s.call("GET", o.path+"/documents/"+id, nil, &d); err != nil {
			return d, err
		}
		if d.settled() {
			return d, nil
		}
		if time.Now().After(deadline) {
			return d, fmt.Errorf("document %s still %s after %v", id, d.Status, timeout)
		}
		time.Sleep(o.poll)
	}
}

// words returns the document's recognised words and its text, page after page.
func (o *documentOrg) words(d documentStatus) (words []string, text string, err error) {
	var texts []string
	for n := 1; n <= d.PagesTotal; n++ {
		var p documentPage
		if err := o.s.call("GET", fmt.Sprintf("%s/documents/%s/pages/%d", o.path, d.ID, n), nil, &p); err != nil {
			return nil, "", err
		}
		for _, w := range p.Words {
			words = append(words, w.Text)
		}
		texts = append(texts, p.Text)
	}
	return words, strings.Join(texts, "\n"), nil
}

// sroieFields are the fields SROIE's keys hold, in the order they are reported.
var sroieFields = []string{extract.FieldCompany, extract.FieldDate, extract.FieldAddress, extract.FieldTotal}

func keyFields(k ocreval.SROIEKey) map[string]string {
	return map[string]string{extract.FieldCompany: k.Company, extract.FieldDate: k.Date, extract.FieldAddress: k.Address, extract.FieldTotal: k.Total}
}

// ocrScore is a receipt's OCR against its box/ transcripts.
type ocrScore struct{ f1, cer float64 }

func scoreOCR(words []string, text string, truth []ocreval.SROIELine) ocrScore {
	_, _, f1 := ocreval.WordF1(words, ocreval.Texts(truth))
	return ocrScore{f1: f1, cer: ocreval.CER(text, strings.Join(ocreval.Texts(truth), "\n"))}
}

// machineLoad is the 1-, 5- and 15-minute load averages, to say how busy the machine was.
func machineLoad() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
