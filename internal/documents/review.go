package documents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/astralisops/astralis/internal/extract"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/store"
)

// Review is a reviewer's answer to a document waiting for review: the fields
// they corrected or confirmed (value as printed), and a note.
type Review struct {
	Fields map[string]string `json:"fields"`
	Note   string            `json:"note,omitempty"`
	Actor  *uuid.UUID        `json:"actor,omitempty"`
}

// maxFieldValue bounds a reviewed value (a long address fits with room to spare).
const maxFieldValue = 500

// ValidateReview checks a review without any I/O (the review Update's
// validator calls it, so a bad review never enters history): known fields
// only, a real date, amounts that are amounts, values of sane length.
func ValidateReview(r Review) error {
	var fields []problem.FieldError
	if len(r.Fields) == 0 {
		fields = append(fields, problem.FieldError{Field: "fields", Message: "name at least one field, e.g. {\"total\": \"12.50\"}"})
	}
	for _, key := range sortedKeys(r.Fields) {
		value := strings.TrimSpace(r.Fields[key])
		name := "fields." + key
		switch {
		case !slices.Contains(extract.FieldKeys, key):
			fields = append(fields, problem.FieldError{Field: name, Message: "is not a field: use one of " + strings.Join(extract.FieldKeys, ", ")})
		case !utf8.ValidString(value) || len(value) > maxFieldValue:
			fields = append(fields, problem.FieldError{Field: name, Message: fmt.Sprintf("must be text of at most %d bytes", maxFieldValue)})
		case value == "":
			fields = append(fields, problem.FieldError{Field: name, Message: "must not be empty"})
		case key == extract.FieldDate:
			if _, err := extract.ParseDate(value); err != nil {
				fields = append(fields, problem.FieldError{Field: name, Message: "must be a real date, e.g. 2018-12-25 or 25/12/2018"})
			}
		case isAmountField(key):
			if _, err := extract.ParseAmount(value); err != nil {
				fields = append(fields, problem.FieldError{Field: name, Message: "must be an amount, e.g. 12.50"})
			}
		}
	}
	if len(r.Note) > 2000 {
		fields = append(fields, problem.FieldError{Field: "note", Message: "must be at most 2000 bytes"})
	}
	if len(fields) > 0 {
		return problem.Invalid("invalid review", fields...)
	}
	return nil
}

func isAmountField(key string) bool {
	return key == extract.FieldTotal || key == extract.FieldSubtotal || key == extract.FieldTax
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// normalize gives a reviewed value's normalised form (ValidateReview passed it).
func normalize(key, value string) string {
	switch {
	case key == extract.FieldDate:
		v, _ := extract.ParseDate(value)
		return v
	case isAmountField(key):
		v, _ := extract.ParseAmount(value)
		return v
	default:
		return strings.Join(strings.Fields(value), " ")
	}
}

// ErrNotAwaitingReview answers a review of a document that is not waiting for one.
var ErrNotAwaitingReview = problem.Typed(problem.ErrConflict, problem.TypeNotAwaiting, "this document is not waiting for review")

// ApplyReview stores a review: every changed field as an annotation (who,
// when, before, after), the fields as reviewed, the document processed, and
// the vendor's name and address learned in the organisation's spelling. It is
// idempotent: a document already reviewed answers as it is.
func (s *Service) ApplyReview(ctx context.Context, org, id uuid.UUID, r Review) (Document, error) {
	if err := ValidateReview(r); err != nil {
		return Document{}, err
	}
	err := s.inTx(ctx, func(q *store.Queries) error {
		d, err := q.LockDocument(ctx, store.LockDocumentParams{OrgID: org, ID: id})
		if errors.Is(err, pgx.ErrNoRows) {
			return errNoDocument
		}
		if err != nil {
			return err
		}
		if d.ReviewedAt != nil {
			return nil // an earlier attempt stored it
		}
		// A processed document takes a review sent while its extraction was
		// finishing (the workflow only lets such a late review through).
		if d.Status != StatusNeedsReview && d.Status != StatusProcessed {
			return ErrNotAwaitingReview
		}
		fields := map[string]Field{}
		if err := json.Unmarshal(d.Fields, &fields); err != nil {
			return err
		}
		for _, key := range sortedKeys(r.Fields) {
			value := strings.Join(strings.Fields(r.Fields[key]), " ")
			before := fields[key].Value
			if before != value {
				if err := q.InsertAnnotation(ctx, store.InsertAnnotationParams{
					OrgID: org, DocumentID: id, Field: key, BeforeValue: before, AfterValue: value, ActorUserID: r.Actor, Note: r.Note,
				}); err != nil {
					return err
				}
			}
			f := fields[key]
			f.Value, f.Normalized, f.Confidence = value, normalize(key, value), 1
			fields[key] = f
		}
		vendorID, err := learnVendor(ctx, q, org, fields)
		if err != nil {
			return err
		}
		if vendorID == nil {
			vendorID = d.VendorID
		}
		date, total := summaryColumns(fields)
		encoded, _ := json.Marshal(fields)
		return q.CompleteReview(ctx, store.CompleteReviewParams{
			OrgID: org, ID: id, Fields: encoded, VendorID: vendorID, DocDate: date, Total: total,
			Currency: fields[extract.FieldCurrency].Normalized, ReviewedBy: r.Actor,
		})
	})
	if err != nil {
		return Document{}, err
	}
	return s.Get(ctx, org, id, nil)
}

// learnVendor records the reviewed company and address as the organisation's
// spelling of that vendor, for the next document from it.
func learnVendor(ctx context.Context, q *store.Queries, org uuid.UUID, fields map[string]Field) (*uuid.UUID, error) {
	name := fields[extract.FieldCompany].Value
	if name == "" {
		return nil, nil
	}
	v, err := q.UpsertVendor(ctx, store.UpsertVendorParams{OrgID: org, Name: name, Address: fields[extract.FieldAddress].Value, Source: "review"})
	if err != nil {
		return nil, fmt.Errorf("documents: learn vendor: %w", err)
	}
	return &v.ID, nil
}

// summaryColumns are the date and total a list filters on.
func summaryColumns(fields map[string]Field) (pgtype.Date, pgtype.Numeric) {
	var date pgtype.Date
	if t, err := time.Parse(time.DateOnly, fields[extract.FieldDate].Normalized); err == nil {
		date = pgtype.Date{Time: t, Valid: true}
	}
	var total pgtype.Numeric
	if v := fields[extract.FieldTotal].Normalized; v != "" {
		_ = total.Scan(v)
	}
	return date, total
}
