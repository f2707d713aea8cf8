package api

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/astralisops/astralis/internal/accounts"
	"github.com/astralisops/astralis/internal/auth"
	"github.com/astralisops/astralis/internal/problem"
)

// decodeBody runs the real decoder on body as a request would carry it.
func decodeBody(t *testing.T, body []byte, dst any) error {
	gin.SetMode(gin.ReleaseMode)
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	req := httptest.NewRequest(http.MethodPost, "/api/v1/auth/signup", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Body = http.MaxBytesReader(w, req.Body, 1<<12)
	c.Request = req
	return decodeJSON(c, dst)
}

// assertClientError fails unless err maps to a 4xx problem; invalid input names at least one field or says why.
func assertClientError(t *testing.T, err error, body []byte) {
	t.Helper()
	p := problem.From(err)
	if p.Status < 400 || p.Status > 499 {
		t.Fatalf("input %q gave %d %q, want a 4xx problem", body, p.Status, p.Detail)
	}
	if p.Detail == "" {
		t.Fatalf("input %q gave a problem without detail", body)
	}
}

var decoderSeeds = []string{
	`{"email":"ada@example.com","password":"correct horse battery"}`,
	`{"email":"ada@example.com","password":"correct horse battery","name":"Ada"}`,
	`{"email":"","password":""}`,
	`{"email":"not an email","password":"short"}`,
	`{"email":5}`,
	`{"email":"a@b.c","password":"x","extra":true}`,
	`{"email":"a@b.c"} {"second":"object"}`,
	`[]`,
	`null`,
	`{"email":"\u0000@example.com","password":"\xff\xfe long password"}`,
	``,
	`{`,
}

func FuzzSignUpDecoder(f *testing.F) {
	for _, s := range decoderSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in accounts.SignUpInput
		if err := decodeBody(t, body, &in); err != nil {
			assertClientError(t, err, body)
			return
		}
		err := in.Validate()
		if err != nil {
			assertClientError(t, err, body)
			var pe *problem.Error
			if !errors.As(err, &pe) || len(pe.Fields) == 0 {
				t.Fatalf("validation of %q names no field: %v", body, err)
			}
			return
		}
		// Accepted input obeys every rule.
		if auth.EmailProblem(in.Email) != "" || auth.PasswordProblem(in.Password, in.Email) != "" || len(in.Name) > auth.MaxNameLength {
			t.Fatalf("accepted invalid sign-up %+v", in)
		}
	})
}

func FuzzLoginDecoder(f *testing.F) {
	for _, s := range decoderSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in accounts.SignInInput
		if err := decodeBody(t, body, &in); err != nil {
			assertClientError(t, err, body)
			return
		}
		if err := in.Validate(); err != nil {
			assertClientError(t, err, body)
			return
		}
		if in.Email == "" || in.Password == "" || len(in.Password) > auth.MaxPasswordBytes {
			t.Fatalf("accepted invalid sign-in %+v", in)
		}
	})
}
