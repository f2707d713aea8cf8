package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/astralisops/astralis/internal/extract"
)

// Reading is the model's reading of a document: each field as printed ("" when
// the document has none), its confidence, and what the call cost.
type Reading struct {
	Fields     map[string]string
	Confidence float64
	Model      string
	// PromptTokens and CompletionTokens as the server counted them; CostUSD from the list price (0 when unknown).
	PromptTokens     int64
	CompletionTokens int64
	CostUSD          float64
}

// Why a reading failed, for the record a document keeps (errors.Is): the
// error's own text may carry the server's URL and response, which stay in the log.
var (
	ErrRequest       = errors.New("the model could not be reached or refused the request")
	ErrRefused       = errors.New("the model declined to answer")
	ErrInvalidAnswer = errors.New("the model's answer was not valid")
)

// MaxReadText bounds the text sent to the model (about 10,000 tokens): a
// long document is read from its first pages, the rest left to the built-in extractor.
const MaxReadText = 40000

// readFields are the fields asked of the model: those a bookkeeper needs.
var readFields = []string{extract.FieldCompany, extract.FieldAddress, extract.FieldDate, extract.FieldTotal,
	extract.FieldSubtotal, extract.FieldTax, extract.FieldCurrency, extract.FieldNumber}

// Extract asks the model for a document's fields from its text (the pages'
// OCR text, in reading order). An answer whose date is not a date or whose
// amounts are not amounts is an error, like a refusal or malformed JSON.
func (r *Client) Extract(ctx context.Context, text, model string) (Reading, error) {
	if model == "" {
		model = r.defaultModel
	}
	if len(text) > MaxReadText {
		text = strings.ToValidUTF8(text[:MaxReadText], "")
	}
	props := map[string]any{"confidence": map[string]any{"type": "number", "minimum": 0, "maximum": 1}}
	required := []string{"confidence"}
	for _, f := range readFields {
		props[f] = map[string]any{"type": "string"}
		required = append(required, f)
	}
	schema := map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
	content, used, err := r.ask(ctx, model, "You read receipts and invoices for a bookkeeper. From the document's OCR text, give each field "+
		"exactly as printed (company: the seller; address: the seller's; date: the document's date; total: the amount paid; "+
		"subtotal and tax when printed; currency as printed or its ISO code; number: the receipt or invoice number), or an "+
		"empty string when the document has none, and your confidence in the whole answer from 0 to 1. OCR errors are "+
		"possible: do not invent what is not there.", text, "document_fields", schema)
	if err != nil {
		return Reading{}, err
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(content), &raw); err != nil {
		return Reading{}, fmt.Errorf("llm: %w: not the requested JSON: %w", ErrInvalidAnswer, err)
	}
	out := Reading{Fields: map[string]string{}, Model: used.model, PromptTokens: used.prompt, CompletionTokens: used.completion, CostUSD: used.cost}
	conf, ok := raw["confidence"].(float64)
	if !ok || conf < 0 || conf > 1 {
		return Reading{}, fmt.Errorf("llm: %w: confidence %v out of range", ErrInvalidAnswer, raw["confidence"])
	}
	out.Confidence = conf
	for _, f := range readFields {
		v, ok := raw[f].(string)
		if !ok {
			return Reading{}, fmt.Errorf("llm: %w: field %s missing or not text", ErrInvalidAnswer, f)
		}
		if v == "" {
			continue
		}
		switch f {
		case extract.FieldDate:
			if _, err := extract.ParseDate(v); err != nil {
				return Reading{}, fmt.Errorf("llm: %w: date %q is not a date", ErrInvalidAnswer, v)
			}
		case extract.FieldTotal, extract.FieldSubtotal, extract.FieldTax:
			if _, err := extract.ParseAmount(v); err != nil {
				return Reading{}, fmt.Errorf("llm: %w: %s %q is not an amount", ErrInvalidAnswer, f, v)
			}
		}
		out.Fields[f] = v
	}
	return out, nil
}
