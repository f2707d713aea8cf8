package app

import (
	"context"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/astralisops/astralis/internal/documents"
	"github.com/astralisops/astralis/internal/ocr/ocrtest"
)

// TestPagesSavedTogetherAreAllCounted: the workflow reads several pages at a
// time, and each saved page counts the document's pages read; saved at the
// same moment, no count may miss another's page (the document said "1 of 2"
// read with both pages stored, and the viewer offered no page 2).
func TestPagesSavedTogetherAreAllCounted(t *testing.T) {
	admin, org, s, _ := setUpShop(t, false)
	id := uploadRead(t, admin, org, "acme.pdf", ocrtest.TextPDF(receiptLines)) // one page, read by the workflow
	orgID, docID := uuid.MustParse(org), uuid.MustParse(id)

	const pages = 40
	var wg sync.WaitGroup
	counts := make(chan int, pages)
	for n := 2; n <= pages; n++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			count, err := s.documents().SavePage(context.Background(), orgID, docID, documents.Page{Number: n, Source: "ocr", Width: 100, Height: 100, Text: "page"})
			if err != nil {
				t.Errorf("save page %d: %v", n, err)
			}
			counts <- count
		}()
	}
	wg.Wait()
	close(counts)
	highest := 0
	for c := range counts {
		highest = max(highest, c)
	}
	var stored int
	if err := s.Pool.QueryRow(context.Background(), "SELECT pages_done FROM documents WHERE id = $1", docID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if highest != pages || stored != pages {
		t.Fatalf("%d pages saved at once: the saves counted at most %d and the document says %d read", pages, highest, stored)
	}
}
