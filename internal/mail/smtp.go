package mail

import (
	"bytes"
	"context"
	"fmt"

	gomail "github.com/wneessen/go-mail"
)

// SMTPConfig says how to reach the mail server.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	// TLS is "starttls" (required), "tls" (implicit, port 465) or "none" (local relays and tests only).
	TLS  string
	From string
}

// SMTP sends messages through a mail server.
type SMTP struct {
	cfg SMTPConfig
}

func NewSMTP(cfg SMTPConfig) *SMTP { return &SMTP{cfg: cfg} }

// Send delivers msg as multipart text + HTML, inside multipart/mixed followed
// by each attachment (base64, so an invite's CRLF line endings arrive as
// written) when it has any. The Message-ID is derived from msg.ID so a
// retried delivery is recognisable as the same message.
func (s *SMTP) Send(ctx context.Context, msg Message) error {
	m := gomail.NewMsg()
	if err := m.From(s.cfg.From); err != nil {
		return fmt.Errorf("mail: from address: %w", err)
	}
	if err := m.To(msg.To); err != nil {
		return fmt.Errorf("mail: to address: %w", err)
	}
	m.Subject(msg.Subject)
	m.SetMessageIDWithValue(msg.ID + "@astralis")
	m.SetDate()
	m.SetBodyString(gomail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		m.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	}
	for _, a := range msg.Attachments {
		// The content type goes in whole: a calendar app finds an invite by its method= parameter.
		err := m.AttachReader(a.Filename, bytes.NewReader(a.Content),
			gomail.WithFileContentType(gomail.ContentType(a.ContentType)), gomail.WithFileEncoding(gomail.EncodingB64))
		if err != nil {
			return fmt.Errorf("mail: attach %s: %w", a.Filename, err)
		}
	}

	opts := []gomail.Option{gomail.WithPort(s.cfg.Port)}
	switch s.cfg.TLS {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	c, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("mail: client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return fmt.Errorf("mail: send to %s via %s:%d: %w", msg.To, s.cfg.Host, s.cfg.Port, err)
	}
	return nil
}
