package testenv

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Mail is one message the test SMTP server received.
type Mail struct {
	From        string
	To          []string
	Subject     string
	ContentType string // the message's own, e.g. multipart/mixed; boundary=...
	Text        string // the text/plain part, decoded
	HTML        string // the text/html part, decoded
	Attachments []Attachment
}

// Attachment is a part of a received message with a file name or an
// "attachment" disposition, decoded.
type Attachment struct {
	Filename    string
	ContentType string // the part's whole Content-Type header, parameters included
	Encoding    string // its Content-Transfer-Encoding
	Content     []byte
}

// Inbox collects what the test SMTP server receives.
type Inbox struct {
	mu       sync.Mutex
	mails    []Mail
	arrived  chan struct{}
	failNext int
	down     bool
}

// SMTPServer runs a real SMTP server on loopback for the test and returns its
// host, port and inbox. The product's SMTP sender talks to it unchanged.
func SMTPServer(t testing.TB) (host string, port int, inbox *Inbox) {
	t.Helper()
	inbox = &Inbox{arrived: make(chan struct{}, 1000)}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		inbox.mu.Lock()
		defer inbox.mu.Unlock()
		if inbox.down {
			return nil, &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Service not available, closing transmission channel"}
		}
		return &smtpSession{inbox: inbox}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	addr := ln.Addr().(*net.TCPAddr)
	return "127.0.0.1", addr.Port, inbox
}

// FailNext makes the next n deliveries fail with a temporary error (451), as a busy server does.
func (in *Inbox) FailNext(n int) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.failNext = n
}

// SetDown makes the server refuse every connection (421, as a server going
// down does) until it is set up again.
func (in *Inbox) SetDown(down bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.down = down
}

// Find returns the mails to addr whose subject contains subject, received so far.
func (in *Inbox) Find(addr, subject string) []Mail { return in.find(addr, subject) }

// WaitFor returns the first mail to addr whose subject contains subject, waiting up to a minute.
func (in *Inbox) WaitFor(t testing.TB, addr, subject string) Mail {
	t.Helper()
	return in.WaitForNth(t, addr, subject, 1)
}

// WaitForNth returns the nth such mail (from 1), waiting up to a minute.
func (in *Inbox) WaitForNth(t testing.TB, addr, subject string, n int) Mail {
	t.Helper()
	deadline := time.After(time.Minute)
	for {
		if found := in.find(addr, subject); len(found) >= n {
			return found[n-1]
		}
		select {
		case <-in.arrived:
		case <-deadline:
			t.Fatalf("no mail to %s with subject containing %q; inbox: %v", addr, subject, in.Subjects())
		}
	}
}

// Count is how many mails were delivered to addr.
func (in *Inbox) Count(addr string) int {
	in.mu.Lock()
	defer in.mu.Unlock()
	n := 0
	for _, m := range in.mails {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				n++
			}
		}
	}
	return n
}

// Subjects lists every received subject, for failure messages.
func (in *Inbox) Subjects() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	var out []string
	for _, m := range in.mails {
		out = append(out, strings.Join(m.To, ",")+": "+m.Subject)
	}
	return out
}

func (in *Inbox) find(addr, subject string) []Mail {
	in.mu.Lock()
	defer in.mu.Unlock()
	var found []Mail
	for _, m := range in.mails {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) && strings.Contains(m.Subject, subject) {
				found = append(found, m)
			}
		}
	}
	return found
}

type smtpSession struct {
	inbox *Inbox
	from  string
	to    []string
}

func (s *smtpSession) Reset()        { s.from, s.to = "", nil }
func (s *smtpSession) Logout() error { return nil }
func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.inbox.mu.Lock()
	if s.inbox.failNext > 0 {
		s.inbox.failNext--
		s.inbox.mu.Unlock()
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	s.inbox.mu.Unlock()

	m := Mail{From: s.from, To: s.to}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	m.ContentType = msg.Header.Get("Content-Type")
	dec := new(mime.WordDecoder)
	if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return err
	}
	if err := readParts(msg.Header, msg.Body, &m); err != nil {
		return err
	}
	s.inbox.mu.Lock()
	s.inbox.mails = append(s.inbox.mails, m)
	s.inbox.mu.Unlock()
	s.inbox.arrived <- struct{}{}
	return nil
}

// readParts walks a (possibly multipart) body and keeps the text and HTML
// parts and the attachments.
func readParts(header interface{ Get(string) string }, body io.Reader, m *Mail) error {
	contentType, encoding := header.Get("Content-Type"), header.Get("Content-Transfer-Encoding")
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		mediaType = "text/plain"
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := readParts(p.Header, p, m); err != nil {
				return err
			}
		}
	}
	switch {
	case strings.EqualFold(encoding, "quoted-printable"):
		body = quotedprintable.NewReader(body)
	case strings.EqualFold(encoding, "base64"):
		body = base64.NewDecoder(base64.StdEncoding, body) // skips the line breaks
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	disposition, dispParams, _ := mime.ParseMediaType(header.Get("Content-Disposition"))
	if filename := dispParams["filename"]; disposition == "attachment" || filename != "" {
		if decoded, err := new(mime.WordDecoder).DecodeHeader(filename); err == nil {
			filename = decoded // a non-ASCII name arrives RFC 2047 encoded
		}
		m.Attachments = append(m.Attachments, Attachment{Filename: filename, ContentType: contentType, Encoding: encoding, Content: data})
		return nil
	}
	switch mediaType {
	case "text/plain":
		m.Text = string(data)
	case "text/html":
		m.HTML = string(data)
	}
	return nil
}
