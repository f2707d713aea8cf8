package mail

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Attachment is a file mailed with a message, such as a calendar invite
// (Filename "invite.ics", ContentType "text/calendar; charset=utf-8; method=REQUEST").
// Its ContentType goes into the mail as given, parameters included.
type Attachment struct {
	Filename    string
	ContentType string
	Content     []byte
}

// Limits on what one message carries: the product mails invites, not archives.
const (
	MaxAttachments     = 10
	MaxAttachmentBytes = 5 << 20 // all of a message's attachments together, before encoding
	maxFilenameBytes   = 255
)

// ErrInvalidAttachment matches every AttachmentError.
var ErrInvalidAttachment = errors.New("mail: invalid attachment")

// AttachmentError says which attachment cannot be mailed and why; it matches ErrInvalidAttachment.
type AttachmentError struct {
	Index  int // in Message.Attachments; -1 for the set as a whole
	Reason string
}

func (e *AttachmentError) Error() string {
	if e.Index < 0 {
		return "mail: attachments: " + e.Reason
	}
	return fmt.Sprintf("mail: attachments[%d]: %s", e.Index, e.Reason)
}

func (e *AttachmentError) Is(target error) bool { return target == ErrInvalidAttachment }

// validateAttachments refuses what a mail server or client would mangle:
// nameless or path-like file names, unparsable content types, too much data.
func validateAttachments(as []Attachment) error {
	if len(as) > MaxAttachments {
		return &AttachmentError{Index: -1, Reason: fmt.Sprintf("%d attachments, at most %d", len(as), MaxAttachments)}
	}
	total := 0
	for i, a := range as {
		bad := func(format string, args ...any) error {
			return &AttachmentError{Index: i, Reason: fmt.Sprintf(format, args...)}
		}
		switch {
		case strings.TrimSpace(a.Filename) == "":
			return bad("filename is required")
		case len(a.Filename) > maxFilenameBytes:
			return bad("filename longer than %d bytes", maxFilenameBytes)
		case !utf8.ValidString(a.Filename) || strings.ContainsFunc(a.Filename, unicode.IsControl):
			return bad("filename is not printable UTF-8")
		case strings.ContainsAny(a.Filename, `/\`):
			return bad("filename %q holds a path separator", a.Filename)
		}
		if _, _, err := mime.ParseMediaType(a.ContentType); err != nil || strings.ContainsFunc(a.ContentType, unicode.IsControl) {
			return bad("content type %q is not a media type", truncate(a.ContentType, 64))
		}
		total += len(a.Content)
	}
	if total > MaxAttachmentBytes {
		return &AttachmentError{Index: -1, Reason: fmt.Sprintf("%d bytes in all, at most %d", total, MaxAttachmentBytes)}
	}
	return nil
}

// storedAttachment is an attachment in the outbox and dev mailbox rows
// (a jsonb array); encoding/json writes Content as base64.
type storedAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Content     []byte `json:"content"`
}

func encodeAttachments(as []Attachment) ([]byte, error) {
	stored := make([]storedAttachment, len(as))
	for i, a := range as {
		stored[i] = storedAttachment(a)
	}
	return json.Marshal(stored)
}

func decodeAttachments(raw []byte) ([]Attachment, error) {
	var stored []storedAttachment
	if err := json.Unmarshal(raw, &stored); err != nil {
		return nil, fmt.Errorf("mail: stored attachments: %w", err)
	}
	out := make([]Attachment, len(stored))
	for i, s := range stored {
		out[i] = Attachment(s)
	}
	return out, nil
}

// attachmentJSON is how the dev mailbox API shows an attachment: content as
// text for a text/* file that is UTF-8, else base64; encoding says which.
type attachmentJSON struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Content     string `json:"content"`
	Encoding    string `json:"encoding"` // "utf-8" or "base64"
}

const (
	encodingText   = "utf-8"
	encodingBase64 = "base64"
)

func (a Attachment) MarshalJSON() ([]byte, error) {
	out := attachmentJSON{Filename: a.Filename, ContentType: a.ContentType, Content: base64.StdEncoding.EncodeToString(a.Content), Encoding: encodingBase64}
	if mediaType, _, err := mime.ParseMediaType(a.ContentType); err == nil && strings.HasPrefix(mediaType, "text/") && utf8.Valid(a.Content) {
		out.Content, out.Encoding = string(a.Content), encodingText
	}
	return json.Marshal(out)
}

func (a *Attachment) UnmarshalJSON(data []byte) error {
	var in attachmentJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	a.Filename, a.ContentType = in.Filename, in.ContentType
	switch in.Encoding {
	case encodingText:
		a.Content = []byte(in.Content)
	case encodingBase64:
		content, err := base64.StdEncoding.DecodeString(in.Content)
		if err != nil {
			return fmt.Errorf("mail: attachment %q content: %w", in.Filename, err)
		}
		a.Content = content
	default:
		return fmt.Errorf("mail: attachment %q: unknown encoding %q", in.Filename, in.Encoding)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
