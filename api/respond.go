package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/problem"
)

// respondError writes err as problem+json: the single error-to-HTTP path of every handler.
func respondError(c *gin.Context, err error) {
	p := problem.From(err)
	if p.Status >= 500 {
		_ = c.Error(err) // the access log records it; the client sees only the generic detail
	}
	if d, ok := problem.RetryAfter(err); ok {
		c.Header("Retry-After", strconv.Itoa(int(math.Ceil(d.Seconds()))))
	}
	writeProblem(c, p)
}

func writeProblem(c *gin.Context, p problem.Problem) {
	writeProblemBody(c, p, func(p problem.Problem) any { return p })
}

// writeProblemBody writes p, completed with the request's path and id, as wrapped by body
// (which may add extension members, as /readyz adds its checks).
func writeProblemBody(c *gin.Context, p problem.Problem, body func(problem.Problem) any) {
	p.Instance = c.Request.URL.Path
	p.RequestID = c.GetString(requestIDKey)
	data, err := json.Marshal(body(p))
	if err != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.Data(p.Status, problem.ContentType, data)
	c.Abort()
}

// decodeJSON reads one JSON object into dst, rejecting unknown fields, trailing
// data, wrong media types and bodies over the size limit with a precise problem.
func decodeJSON(c *gin.Context, dst any) error {
	if ct := c.GetHeader("Content-Type"); ct != "" {
		mediaType, _, err := mime.ParseMediaType(ct)
		if err != nil || mediaType != "application/json" {
			return problem.New(problem.ErrUnsupportedType, "Content-Type must be application/json")
		}
	}
	raw, err := io.ReadAll(c.Request.Body) // bounded by limitBody
	if err != nil {
		return jsonProblem(err)
	}
	// encoding/json would quietly turn invalid UTF-8 into U+FFFD: refuse it instead.
	if !utf8.Valid(raw) {
		return problem.Invalid("request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonProblem(err)
	}
	if dec.More() {
		return problem.Invalid("request body must hold a single JSON object")
	}
	return nil
}

func jsonProblem(err error) error {
	var (
		maxBytes  *http.MaxBytesError
		syntax    *json.SyntaxError
		typeError *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &maxBytes):
		return tooLarge(maxBytes.Limit)
	case errors.Is(err, os.ErrDeadlineExceeded): // a route's read deadline (see importExamples)
		return problem.New(problem.ErrRequestTimeout, "the request body did not arrive in time")
	case errors.Is(err, io.EOF):
		return problem.Invalid("request body is empty; a JSON object is required")
	case errors.As(err, &syntax):
		return problem.Invalid(fmt.Sprintf("malformed JSON at byte %d", syntax.Offset))
	case errors.As(err, &typeError):
		return problem.Invalid("wrong type for a field", problem.FieldError{Field: typeError.Field, Message: "must be " + describeType(typeError.Type)})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return problem.Invalid("unknown field", problem.FieldError{Field: field, Message: "is not a known field"})
	default:
		return problem.Invalid("malformed JSON: " + err.Error())
	}
}

func tooLarge(limit int64) error {
	return problem.New(problem.ErrTooLarge, fmt.Sprintf("request body is larger than %d bytes", limit))
}

// describeType names a JSON field's expected type for people.
func describeType(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[uuid.UUID]():
		return "a UUID"
	case reflect.TypeFor[time.Time]():
		return "an RFC 3339 date-time such as 2027-01-15T17:00:00Z"
	}
	return t.String()
}

// Pagination: every list takes ?limit=&cursor= and answers {"items":[…],"next_cursor":"…"}.
const (
	defaultPageSize = 20
	maxPageSize     = 100
)

type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// pageParams reads limit and the opaque cursor into cursor (a pointer to the list's own cursor type).
func pageParams(c *gin.Context, cursor any) (int, error) {
	limit := defaultPageSize
	if raw := c.Query("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxPageSize {
			return 0, problem.Invalid("bad query parameter", problem.FieldError{Field: "limit", Message: fmt.Sprintf("must be a whole number from 1 to %d", maxPageSize)})
		}
		limit = n
	}
	if raw := c.Query("cursor"); raw != "" {
		data, err := base64.RawURLEncoding.DecodeString(raw)
		if err != nil || json.Unmarshal(data, cursor) != nil {
			return 0, problem.Invalid("bad query parameter", problem.FieldError{Field: "cursor", Message: "is not a cursor this list returned"})
		}
	}
	return limit, nil
}

// pageAfter is pageParams for a list whose cursor type is C: after is nil on the first page.
func pageAfter[C any](c *gin.Context) (limit int, after *C, err error) {
	var cursor C
	if limit, err = pageParams(c, &cursor); err != nil || c.Query("cursor") == "" {
		return limit, nil, err
	}
	return limit, &cursor, nil
}

// cursorPage trims a list fetched with limit+1 rows to one page and, when
// more remain, sets the cursor that continues after its last item.
func cursorPage[T, C any](items []T, limit int, cursorAfter func(T) C) page[T] {
	out := page[T]{Items: items}
	if len(items) > limit {
		out.Items = items[:limit]
		out.NextCursor = encodeCursor(cursorAfter(items[limit-1]))
	}
	return out
}

// seqCursor pages through lists ordered by a descending sequence number.
type seqCursor struct {
	BeforeSeq int64 `json:"b"`
}

// seqPage is cursorPage for lists ordered by a descending sequence number.
func seqPage[T any](items []T, limit int, seq func(T) int64) page[T] {
	return cursorPage(items, limit, func(item T) seqCursor { return seqCursor{BeforeSeq: seq(item)} })
}

func encodeCursor(cursor any) string {
	data, err := json.Marshal(cursor)
	if err != nil {
		panic(fmt.Sprintf("cursor %T does not marshal: %v", cursor, err)) // a programming error, caught by tests
	}
	return base64.RawURLEncoding.EncodeToString(data)
}

// queryParams reads typed query parameters, collecting a field error for each bad one.
type queryParams struct {
	c      *gin.Context
	fields []problem.FieldError
}

// id reads an optional id parameter; what names the kind of id ("user", "token").
func (q *queryParams) id(name, what string) *uuid.UUID {
	raw := q.c.Query(name)
	if raw == "" {
		return nil
	}
	id, err := uuid.Parse(raw)
	if err != nil {
		q.fields = append(q.fields, problem.FieldError{Field: name, Message: "must be a " + what + " id"})
		return nil
	}
	return &id
}

// time reads an optional RFC 3339 time parameter.
func (q *queryParams) time(name string) *time.Time {
	raw := q.c.Query(name)
	if raw == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		q.fields = append(q.fields, problem.FieldError{Field: name, Message: "must be an RFC 3339 time like 2026-01-31T09:00:00Z"})
		return nil
	}
	return &t
}

// date reads an optional calendar date parameter (2026-01-31).
func (q *queryParams) date(name string) *time.Time {
	raw := q.c.Query(name)
	if raw == "" {
		return nil
	}
	t, err := time.Parse(time.DateOnly, raw)
	if err != nil {
		q.fields = append(q.fields, problem.FieldError{Field: name, Message: "must be a date like 2026-01-31"})
		return nil
	}
	return &t
}

// boolean reads an optional true/false parameter.
func (q *queryParams) boolean(name string) *bool {
	switch q.c.Query(name) {
	case "":
		return nil
	case "true":
		v := true
		return &v
	case "false":
		v := false
		return &v
	default:
		q.fields = append(q.fields, problem.FieldError{Field: name, Message: "must be true or false"})
		return nil
	}
}

// err is the 422 naming every bad parameter, or nil.
func (q *queryParams) err() error {
	if len(q.fields) == 0 {
		return nil
	}
	return problem.Invalid("bad query parameters", q.fields...)
}
