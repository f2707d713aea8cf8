package documents

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/csvin"
	"github.com/astralisops/astralis/internal/extract"
	"github.com/astralisops/astralis/internal/problem"
	"github.com/astralisops/astralis/internal/store"
)

// Vendor is a supplier of the organisation, in its own spelling.
type Vendor struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	Address   string    `json:"address"`
	Source    string    `json:"source"` // "import" or "review"
	UpdatedAt time.Time `json:"updated_at"`
}

// VendorInput is one vendor to import.
type VendorInput struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

// MaxVendorsPerImport bounds one import (a supplier list, not a data dump).
const MaxVendorsPerImport = 10000

// ImportVendors validates the whole list, then stores it in one transaction:
// a vendor whose name the organisation has (in any case) is updated. It
// returns how many were imported.
func (s *Service) ImportVendors(ctx context.Context, org uuid.UUID, in []VendorInput) (int, error) {
	if len(in) == 0 {
		return 0, problem.Invalid("no vendors to import", problem.FieldError{Field: "vendors", Message: "must list at least one vendor"})
	}
	if len(in) > MaxVendorsPerImport {
		return 0, problem.Invalid("too many vendors", problem.FieldError{Field: "vendors", Message: fmt.Sprintf("must list at most %d vendors per import", MaxVendorsPerImport)})
	}
	var fields []problem.FieldError
	for i := range in {
		in[i].Name = strings.Join(strings.Fields(in[i].Name), " ")
		in[i].Address = strings.Join(strings.Fields(in[i].Address), " ")
		switch {
		case in[i].Name == "":
			fields = append(fields, problem.FieldError{Field: fmt.Sprintf("vendors[%d].name", i), Message: "must not be empty"})
		case !utf8.ValidString(in[i].Name) || len(in[i].Name) > 200:
			fields = append(fields, problem.FieldError{Field: fmt.Sprintf("vendors[%d].name", i), Message: "must be text of at most 200 bytes"})
		case !utf8.ValidString(in[i].Address) || len(in[i].Address) > maxFieldValue:
			fields = append(fields, problem.FieldError{Field: fmt.Sprintf("vendors[%d].address", i), Message: fmt.Sprintf("must be text of at most %d bytes", maxFieldValue)})
		}
		if len(fields) >= 20 {
			break // enough to act on
		}
	}
	if len(fields) > 0 {
		return 0, problem.Invalid("invalid vendors", fields...)
	}
	err := s.inTx(ctx, func(q *store.Queries) error {
		for _, v := range in {
			if _, err := q.UpsertVendor(ctx, store.UpsertVendorParams{OrgID: org, Name: v.Name, Address: v.Address, Source: "import"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("documents: import vendors: %w", err)
	}
	return len(in), nil
}

// ParseVendorsCSV reads `name,address` rows; a first row naming those columns is a header.
func ParseVendorsCSV(r io.Reader) ([]VendorInput, error) {
	cr := csvin.NewReader(r)
	cr.FieldsPerRecord = -1
	var out []VendorInput
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		var parse *csv.ParseError
		if errors.As(err, &parse) {
			return nil, problem.Invalid("the CSV could not be read: "+parse.Error(), problem.FieldError{Field: "body", Message: "must be CSV with columns name,address"})
		}
		if err != nil {
			return nil, err // reading the body failed (the caller maps a body over its limit)
		}
		if line == 1 && len(rec) >= 1 && strings.EqualFold(strings.TrimSpace(rec[0]), "name") {
			continue
		}
		if len(rec) < 1 || len(rec) > 2 {
			return nil, problem.Invalid(fmt.Sprintf("line %d has %d columns", line, len(rec)), problem.FieldError{Field: "body", Message: "must be CSV with columns name,address"})
		}
		v := VendorInput{Name: rec[0]}
		if len(rec) == 2 {
			v.Address = rec[1]
		}
		out = append(out, v)
		if len(out) > MaxVendorsPerImport {
			return nil, problem.Invalid("too many vendors", problem.FieldError{Field: "body", Message: fmt.Sprintf("must list at most %d vendors per import", MaxVendorsPerImport)})
		}
	}
}

// Vendors lists the organisation's vendors by name.
func (s *Service) Vendors(ctx context.Context, org uuid.UUID) ([]Vendor, error) {
	rows, err := s.q.ListVendors(ctx, org)
	if err != nil {
		return nil, fmt.Errorf("documents: vendors: %w", err)
	}
	out := make([]Vendor, 0, len(rows))
	for _, v := range rows {
		out = append(out, Vendor{ID: v.ID, Name: v.Name, Address: v.Address, Source: v.Source, UpdatedAt: v.UpdatedAt})
	}
	return out, nil
}

// vendorIndex is what extraction matches a new document against.
func (s *Service) vendorIndex(ctx context.Context, org uuid.UUID) (*extract.VendorIndex, map[string]uuid.UUID, error) {
	rows, err := s.q.ListVendors(ctx, org)
	if err != nil {
		return nil, nil, fmt.Errorf("documents: vendors: %w", err)
	}
	vendors := make([]extract.Vendor, 0, len(rows))
	ids := make(map[string]uuid.UUID, len(rows))
	for _, v := range rows {
		vendors = append(vendors, extract.Vendor{Name: v.Name, Address: v.Address})
		ids[strings.ToLower(v.Name)] = v.ID
	}
	return extract.NewVendorIndex(vendors), ids, nil
}
