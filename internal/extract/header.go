package extract

import (
	"regexp"
	"strings"
	"unicode"
)

// headerLines is how many lines from the top of the first page may hold the
// vendor's name and address.
const headerLines = 14

// companyWords mark a line as a business name.
var companyWords = []string{"SDN BHD", "SDN", "BHD", "BERHAD", "ENTERPRISE", "ENTERPRISES", "TRADING", "LTD", "LIMITED",
	"INC", "LLC", "CORP", "CORPORATION", "COMPANY", "CO", "GMBH", "PLC", "RESTAURANT", "RESTAURANTS", "RESTORAN", "HARDWARE",
	"STORE", "STORES", "MART", "MARKET", "SUPERMARKET", "MINIMARKET", "BAKERY", "BAKERIES", "CAFE", "PHARMACY", "STATIONERY",
	"PERNIAGAAN", "KEDAI", "BISTRO", "KITCHEN", "MOTOR", "MACHINERY", "ELECTRICAL", "GIFT", "DECO", "GALLERY", "BOOKS", "PUB",
	"HOLDINGS", "INDUSTRIES", "SERVICES", "CENTRE", "CENTER", "SHOP", "S B", "PETRO", "STATION"}

// addressWords mark a line as part of an address.
var addressWords = []string{"JALAN", "JLN", "LORONG", "LRG", "TAMAN", "TMN", "LOT", "BLOK", "BLOCK", "LEVEL", "FLOOR", "TINGKAT",
	"ROAD", "RD", "STREET", "ST", "AVENUE", "AVE", "KAWASAN", "BANDAR", "BATU", "KAMPUNG", "KG", "PERSIARAN", "PUSAT",
	"JOHOR", "SELANGOR", "KUALA", "LUMPUR", "PERAK", "PENANG", "PULAU", "PINANG", "KEDAH", "MELAKA", "PAHANG", "SABAH", "SARAWAK",
	"NEGERI", "SEMBILAN", "PUTRAJAYA", "BAHRU", "JAYA", "SUITE", "UNIT", "PLAZA", "MALL", "SEKSYEN", "SECTION", "INDUSTRIAL",
	"PERINDUSTRIAN", "NO", "BUILDING", "BANGUNAN", "SUITE", "CITY", "MALAYSIA", "KELANTAN", "TERENGGANU", "PERLIS",
	"LABUAN", "WILAYAH", "PERSEKUTUAN", "DARUL", "EHSAN", "TAKZIM", "NAIM", "RIDZUAN", "AMAN", "MAKMUR", "SINGAPORE"}

// headerStopWords end the header: what follows is no longer the address.
var headerStopWords = []string{"TEL", "TELEPHONE", "PHONE", "FAX", "HP", "MOBILE", "GST", "GST NO", "GST ID", "GST REG",
	"SST", "TAX INVOICE", "INVOICE", "RECEIPT", "CASH SALE", "CASH BILL", "BILL", "DATE", "CASHIER", "EMAIL", "WEBSITE",
	"TABLE", "ORDER", "REG NO", "COMPANY NO", "CO NO", "COMPANY REG", "ROC", "SSM", "H P", "TAXINVOICE", "CUSTOMER", "SALES", "DOC", "DOCUMENT", "TERMINAL", "MEMBER", "QTY", "ITEM"}

var (
	postcodePattern = regexp.MustCompile(`\b\d{5}\b`)
	// registration numbers printed under the name: "(789417-W)", "CO.REG :933109-x", "(65351-M)"
	registrationPattern = regexp.MustCompile(`(?i)^\(?\s*(?:CO\.?\s*REG(?:\.|ISTRATION)?\s*(?:NO\.?)?\s*[:.]?\s*|COMPANY\s*NO\.?\s*[:.]?\s*)?\d{3,12}\s*[-‐]?\s*[A-Z]\s*\)?$|(?i)^\(?\s*(?:CO\.?\s*REG|COMPANY\s*(?:REG|NO))`)
	// telephone numbers: "07-355 2616", "03-4162-2318", "1800 88 1231"
	phonePattern         = regexp.MustCompile(`\b\d{2,4}[- ]\d{3,4}[- ]?\d{3,4}\b|\d{9,}`)
	trailingRegistration = regexp.MustCompile(`\s*\(?\s*(?:CO\.?\s*(?:REG\.?\s*)?(?:NO\.?)?\s*[:.]?\s*)?\d{4,12}\s*-\s*[A-Za-z]\s*\)?\s*$`)
)

// headerScan is what the top of the first page says about the vendor.
type headerScan struct {
	company     *line
	companyText string
	companyConf float64
	address     []*line
	addressConf float64
}

// scanHeader finds the vendor's name and address among the first lines:
// the name is the line that most looks like a business name (company words,
// capitals, large type, near the top), the address the run of lines after it
// up to the first telephone, tax or document line.
func scanHeader(lines []line) headerScan {
	var hs headerScan
	if len(lines) == 0 {
		return hs
	}
	firstPage := lines[0].page
	var top []*line
	for i := range lines {
		if lines[i].page != firstPage || len(top) == headerLines {
			break
		}
		top = append(top, &lines[i])
	}
	medianHeight := medianLineHeight(top)
	bestScore, secondScore := -100.0, -100.0
	bestIdx := -1
	for i, l := range top {
		s := companyScore(l, i, medianHeight)
		if s > bestScore {
			secondScore = bestScore
			bestScore, bestIdx = s, i
		} else if s > secondScore {
			secondScore = s
		}
	}
	if bestIdx < 0 || bestScore < 0.5 {
		return hs
	}
	hs.company = top[bestIdx]
	hs.companyText = cleanCompany(joinCompanyLines(top, bestIdx))
	margin := bestScore - secondScore
	hs.companyConf = round2((0.25 + 0.1*min(bestScore, 4)) * (0.6 + 0.4*min(1, margin/2)) * (0.6 + 0.4*hs.company.spanConfidence(0, len(hs.company.text))))
	if strings.HasSuffix(strings.TrimSpace(top[bestIdx].text), "&") {
		bestIdx++ // the name continued on the next line
	}

	// The address: the first address-like line after the name (registration
	// numbers, dates and branch names may come between) up to a stop line.
	addressLike := 0
	skipped := 0
	sawPostcode := false
	for _, l := range top[min(bestIdx+1, len(top)):] {
		t := strings.TrimSpace(l.text)
		tokens := labelTokens(t)
		if len(tokens) == 0 {
			continue // stray punctuation
		}
		// "NO.53 55,57 & 59, JALAN SAGU 18" reads as holding an amount; a street does not stop the address.
		hasAmount := len(findAmounts(t)) > 0 && !hasAnyLabel(tokens, addressWords...)
		stop := registrationPattern.MatchString(t) || isStopLine(t, tokens) || hasAmount || phonePattern.MatchString(t)
		looks := isAddressLike(t, tokens)
		if len(hs.address) == 0 {
			if !looks || stop {
				if skipped++; skipped > 3 {
					break
				}
				continue
			}
		} else if stop || len(findDates(t)) > 0 {
			break
		} else if sawPostcode && !looks && !strings.HasPrefix(t, "(") {
			// After the postcode only more address or a branch name in
			// brackets follows; anything else is the receipt's body.
			break
		}
		sawPostcode = sawPostcode || postcodePattern.MatchString(t)
		if looks {
			addressLike++
		}
		hs.address = append(hs.address, l)
		if len(hs.address) == 6 {
			break
		}
	}
	if addressLike == 0 {
		hs.address = nil
		return hs
	}
	minConf := 1.0
	for _, l := range hs.address {
		minConf = min(minConf, l.spanConfidence(0, len(l.text)))
	}
	hs.addressConf = round2((0.3 + 0.08*float64(min(addressLike, 4))) * (0.5 + 0.5*minConf))
	return hs
}

func companyScore(l *line, index int, medianHeight int) float64 {
	t := strings.TrimSpace(l.text)
	tokens := labelTokens(t)
	letters, uppers, digits := 0, 0, 0
	for _, r := range t {
		switch {
		case unicode.IsLetter(r):
			letters++
			if unicode.IsUpper(r) {
				uppers++
			}
		case unicode.IsDigit(r):
			digits++
		}
	}
	if letters < 3 {
		return -100
	}
	s := 0.0
	if hasAnyLabel(tokens, companyWords...) {
		s += 3
	}
	if float64(uppers) >= 0.8*float64(letters) {
		s += 1
	}
	if medianHeight > 0 && l.height() > medianHeight*5/4 {
		s += 1
	}
	if float64(digits) > 0.3*float64(letters+digits) {
		s -= 2
	}
	if isStopLine(t, tokens) || registrationPattern.MatchString(t) || len(findDates(t)) > 0 || len(findAmounts(t)) > 0 {
		s -= 3
	}
	if isAddressLike(t, tokens) && !hasAnyLabel(tokens, companyWords...) {
		s -= 2
	}
	s -= 0.15 * float64(index)
	return s
}

func isStopLine(text string, tokens []string) bool {
	if strings.Contains(text, "@") || strings.Contains(strings.ToLower(text), "www") || strings.Contains(strings.ToLower(text), ".com") {
		return true
	}
	return hasAnyLabel(tokens, headerStopWords...)
}

func isAddressLike(text string, tokens []string) bool {
	return postcodePattern.MatchString(text) || hasAnyLabel(tokens, addressWords...) || strings.Count(text, ",") >= 2
}

func medianLineHeight(ls []*line) int {
	if len(ls) == 0 {
		return 0
	}
	hs := make([]int, len(ls))
	for i, l := range ls {
		hs[i] = l.height()
	}
	for i := 1; i < len(hs); i++ {
		for j := i; j > 0 && hs[j] < hs[j-1]; j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
	return hs[len(hs)/2]
}

// joinCompanyLines reads a name printed over two lines ("HOME MASTER HARDWARE &" / "ELECTRICAL").
func joinCompanyLines(top []*line, i int) string {
	t := strings.TrimSpace(top[i].text)
	if i > 0 && strings.HasSuffix(strings.TrimSpace(top[i-1].text), "&") {
		return strings.TrimSpace(top[i-1].text) + " " + t
	}
	if strings.HasSuffix(t, "&") && i+1 < len(top) {
		return t + " " + strings.TrimSpace(top[i+1].text)
	}
	return t
}

// legalFormFixes repairs OCR misreads of legal forms, which are spelled one
// way only ("SON BHD" is always "SDN BHD").
var legalFormFixes = []struct {
	pattern *regexp.Regexp
	with    string
}{
	{regexp.MustCompile(`\b(?:SON|S0N|SDM|SUN|5DN)(\.?\s+)(BHD|BND|8HD|BHO)\b`), "SDN${1}BHD"},
	{regexp.MustCompile(`\b(SDN\.?\s+)(?:BND|8HD|BHO|BH0)\b`), "${1}BHD"},
	{regexp.MustCompile(`\b(?:Son|Sdm)(\.?\s+)(Bhd)\b`), "Sdn${1}Bhd"},
}

// cleanCompany trims registration numbers and stray punctuation OCR leaves
// around a name and repairs misread legal forms.
func cleanCompany(s string) string {
	s = trailingRegistration.ReplaceAllString(s, "")
	s = strings.TrimRight(strings.TrimSpace(s), ":;,|'\"")
	for _, f := range legalFormFixes {
		s = f.pattern.ReplaceAllString(s, f.with)
	}
	return collapseSpace(s)
}
