package ocr

import (
	"fmt"
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	if err := EnsureOpenMPThreadLimit(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
