// Package mail delivers transactional email. In development, with no SMTP
// server configured, messages land in a mailbox table a person can read.
package mail

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/astralisops/astralis/internal/store"
)

// Message is one email. ID is chosen by the caller and makes delivery idempotent.
type Message struct {
	ID          string       `json:"id"`
	To          string       `json:"to"`
	Subject     string       `json:"subject"`
	Text        string       `json:"text"`
	HTML        string       `json:"html,omitempty"`
	Attachments []Attachment `json:"attachments"` // mailed after the text (and HTML) in a multipart/mixed message
}

// Delivered is a message as the dev mailbox stored it.
type Delivered struct {
	Seq       int64     `json:"-"`
	Message             // embedded: id, to, subject, text, html, attachments
	CreatedAt time.Time `json:"created_at"`
}

// DevMailbox stores messages in PostgreSQL instead of sending them.
type DevMailbox struct {
	queries *store.Queries
}

func NewDevMailbox(pool *pgxpool.Pool) *DevMailbox {
	return &DevMailbox{queries: store.New(pool)}
}

// Send stores msg once, however often it is retried.
func (m *DevMailbox) Send(ctx context.Context, msg Message) error {
	attachments, err := encodeAttachments(msg.Attachments)
	if err != nil {
		return fmt.Errorf("mail: unable to store dev mail %s: %w", msg.ID, err)
	}
	err = m.queries.InsertDevMail(ctx, store.InsertDevMailParams{
		MessageID:   msg.ID,
		ToAddress:   msg.To,
		Subject:     msg.Subject,
		TextBody:    msg.Text,
		HTMLBody:    msg.HTML,
		Attachments: attachments,
	})
	if err != nil {
		return fmt.Errorf("mail: unable to store dev mail %s: %w", msg.ID, err)
	}
	return nil
}

// List returns up to limit messages older than beforeSeq (0: from the newest), newest first.
func (m *DevMailbox) List(ctx context.Context, beforeSeq int64, limit int) ([]Delivered, error) {
	rows, err := m.queries.ListDevMail(ctx, store.ListDevMailParams{BeforeID: beforeSeq, MaxRows: int32(limit)})
	if err != nil {
		return nil, fmt.Errorf("mail: unable to list dev mail: %w", err)
	}
	out := make([]Delivered, 0, len(rows))
	for _, r := range rows {
		attachments, err := decodeAttachments(r.Attachments)
		if err != nil {
			return nil, fmt.Errorf("mail: dev mail %s: %w", r.MessageID, err)
		}
		out = append(out, Delivered{
			Seq:       r.ID,
			Message:   Message{ID: r.MessageID, To: r.ToAddress, Subject: r.Subject, Text: r.TextBody, HTML: r.HTMLBody, Attachments: attachments},
			CreatedAt: r.CreatedAt,
		})
	}
	return out, nil
}
