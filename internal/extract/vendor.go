package extract

import (
	"encoding/json"
	"slices"
	"sync"
)

// Vendor is a supplier an organisation knows, spelled the organisation's way.
type Vendor struct {
	Name    string `json:"name"`
	Address string `json:"address"`
	// Seen counts the imports and reviews that spelled the vendor exactly so;
	// among spellings of one vendor the most used one wins.
	Seen int `json:"seen,omitempty"`
}

// VendorIndex is an organisation's known vendors, matched fuzzily against
// the top of a document. It is safe for concurrent use; its JSON form is
// {"vendors":[{"name","address"}]}.
type VendorIndex struct {
	mu       sync.RWMutex
	entries  []vendorEntry
	postings map[string][]int // name trigram -> entries
}

type vendorEntry struct {
	Vendor
	nameKey, addrKey []rune
}

// Matching thresholds, chosen so that a wrong vendor is rarer than a missed
// one: "no match is better than a wrong match".
const (
	minNameSimilarity      = 0.80 // a name must be this close to text near the top
	minShortNameSimilarity = 0.90 // names of fewer than shortNameRunes folded characters
	shortNameRunes         = 10
	minMatchScore          = 0.78 // combined name and address evidence
	minAddressSimilarity   = 0.75 // below this the vendor's address is not used
	minCandidateOverlap    = 0.3  // share of a name's trigrams that must appear, to be scored at all
	vendorNameLines        = 15   // lines from the top searched for the name
	vendorAddressLines     = 25   // ... and for the address
)

// NewVendorIndex indexes vendors; entries without a name are ignored.
func NewVendorIndex(vendors []Vendor) *VendorIndex {
	ix := &VendorIndex{postings: map[string][]int{}}
	for _, v := range vendors {
		ix.add(v)
	}
	return ix
}

// Len is the number of known vendors.
func (ix *VendorIndex) Len() int {
	if ix == nil {
		return 0
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.entries)
}

// Vendors returns the known vendors in the order they were added.
func (ix *VendorIndex) Vendors() []Vendor {
	if ix == nil {
		return nil
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := make([]Vendor, len(ix.entries))
	for i, e := range ix.entries {
		out[i] = e.Vendor
	}
	return out
}

// Add adds a vendor unless one with the same name and address is known.
func (ix *VendorIndex) Add(v Vendor) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.add(v)
}

func (ix *VendorIndex) add(v Vendor) {
	v.Name, v.Address = collapseSpace(v.Name), collapseSpace(v.Address)
	if v.Name == "" {
		return
	}
	if v.Seen < 1 {
		v.Seen = 1
	}
	for i, e := range ix.entries {
		if e.Name == v.Name && e.Address == v.Address {
			ix.entries[i].Seen += v.Seen
			return
		}
	}
	e := vendorEntry{Vendor: v, nameKey: foldKey(v.Name), addrKey: foldKey(v.Address)}
	id := len(ix.entries)
	ix.entries = append(ix.entries, e)
	for g := range trigrams(e.nameKey) {
		ix.postings[g] = append(ix.postings[g], id)
	}
}

// Learn records the vendor of a reviewed document from its reviewed fields
// ("company" and "address"): a spelling already known counts once more,
// a new one is added. It reports whether the index changed.
func (ix *VendorIndex) Learn(reviewed map[string]string) bool {
	v := Vendor{Name: collapseSpace(reviewed[FieldCompany]), Address: collapseSpace(reviewed[FieldAddress])}
	if v.Name == "" {
		return false
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.add(v)
	return true
}

// MarshalJSON writes {"vendors":[...]}.
func (ix *VendorIndex) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Vendors []Vendor `json:"vendors"`
	}{Vendors: ix.Vendors()})
}

// UnmarshalJSON reads {"vendors":[...]}.
func (ix *VendorIndex) UnmarshalJSON(b []byte) error {
	var doc struct {
		Vendors []Vendor `json:"vendors"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return err
	}
	fresh := NewVendorIndex(doc.Vendors)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.entries, ix.postings = fresh.entries, fresh.postings
	return nil
}

// Match finds the known vendor whose name (and address, when known) appears
// at the top of the document despite OCR noise. ok is false when no vendor
// is close enough.
func (ix *VendorIndex) Match(pages []Page) (m VendorMatch, ok bool) {
	vm, ok := ix.matchLines(documentLines(pages))
	if !ok {
		return VendorMatch{}, false
	}
	return VendorMatch{Vendor: vm.vendor, Score: vm.score}, true
}

// vendorHit is a scored vendor match with the similarities behind it.
type vendorHit struct {
	vendor           Vendor
	score            float64
	nameSim, addrSim float64
	nameKey, addrKey []rune
	hasAddress       bool
	seen             int
}

// spellingTolerance: spellings of one vendor whose scores differ by less
// than this are told apart by how often the organisation used them.
const spellingTolerance = 0.03

func sameVendor(a, b vendorHit) bool {
	return editSimilarity(a.nameKey, b.nameKey) >= 0.9 && editSimilarity(a.addrKey, b.addrKey) >= 0.9
}

func (ix *VendorIndex) matchLines(lines []line) (vendorHit, bool) {
	if ix == nil {
		return vendorHit{}, false
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if len(ix.entries) == 0 || len(lines) == 0 {
		return vendorHit{}, false
	}
	firstPage := lines[0].page
	var nameText, addrText []rune
	for _, l := range lines {
		if l.page != firstPage || l.index >= vendorAddressLines {
			break
		}
		k := foldKey(l.text)
		if l.index < vendorNameLines {
			nameText = append(nameText, k...)
		}
		addrText = append(addrText, k...)
	}
	seen := trigrams(nameText)
	overlap := map[int]int{}
	for g := range seen {
		for _, id := range ix.postings[g] {
			overlap[id]++
		}
	}
	ids := make([]int, 0, len(overlap))
	for id, n := range overlap {
		total := len(ix.entries[id].nameKey) - 2
		if total > 0 && float64(n)/float64(total) >= minCandidateOverlap {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids) // deterministic ties: the earliest known vendor wins
	var best vendorHit
	found := false
	for _, id := range ids {
		e := ix.entries[id]
		h := vendorHit{vendor: e.Vendor, nameKey: e.nameKey, addrKey: e.addrKey, seen: e.Seen}
		h.nameSim = substringSimilarity(e.nameKey, nameText)
		need := minNameSimilarity
		if len(e.nameKey) < shortNameRunes {
			need = minShortNameSimilarity
		}
		if h.nameSim < need {
			continue
		}
		h.score = h.nameSim * 0.9 // a name alone is weaker evidence than name and address
		if len(e.addrKey) > 0 {
			h.addrSim = substringSimilarity(e.addrKey, addrText)
			h.hasAddress = h.addrSim >= minAddressSimilarity
			h.score = 0.55*h.nameSim + 0.45*h.addrSim
			if !h.hasAddress {
				// The name is right but the branch is not known: trust the name, not the address.
				h.score = max(h.score, h.nameSim*0.85)
			}
		}
		if h.score < minMatchScore {
			continue
		}
		switch {
		case !found || h.score > best.score+spellingTolerance:
			best, found = h, true
		case h.score >= best.score-spellingTolerance && sameVendor(h, best) && h.seen > best.seen:
			best = h // another spelling of the same vendor, used more often
		}
	}
	return best, found
}
