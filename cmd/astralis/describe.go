package main

import (
	"errors"
	"strings"

	"github.com/astralisops/astralis/internal/problem"
)

// describe spells out a problem's field errors for the terminal.
func describe(err error) string {
	var pe *problem.Error
	if !errors.As(err, &pe) || len(pe.Fields) == 0 {
		return err.Error()
	}
	lines := []string{pe.Detail}
	for _, f := range pe.Fields {
		lines = append(lines, "  --"+f.Field+" "+f.Message)
	}
	return strings.Join(lines, "\n")
}
