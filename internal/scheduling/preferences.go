package scheduling

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Preferences is what a client said they want, understood: soft wishes rank
// slots, hard limits leave slots out. Negated phrases ("not Friday", "not
// before 2 pm") and "only …" are hard; everything else is a wish.
type Preferences struct {
	Prefer  Condition   // soft: the more of it a slot meets, the higher it ranks
	Require Condition   // hard: a slot must meet every part of it that is set
	Avoid   []Condition // hard: a slot must not meet every set part of any of these ("not between 12 and 2" leaves out slots lying within 12–2)
	ASAP    bool        // "asap", "earliest": the earliest fitting slots, and the reasons say so
}

// Condition describes slots by their wall time in the zone they are judged
// in. A part that is set is met when any entry of its list is; unset parts
// (nil, 0) say nothing.
type Condition struct {
	Dates    []DateSpan     // the slot starts on one of these local dates
	Weekdays []time.Weekday // ... on one of these days of the week
	Parts    []PartOfDay    // ... within one of these parts of the day
	From     TimeOfDay      // ... at or after this time of day; 0 = unset
	Until    TimeOfDay      // the slot ends at or before this time of day (of its start's date); 0 = unset
}

func (c Condition) isZero() bool {
	return len(c.Dates) == 0 && len(c.Weekdays) == 0 && len(c.Parts) == 0 && c.From == 0 && c.Until == 0
}

// DateSpan is a run of local dates, First to Last inclusive ("2006-01-02"),
// with the words a reason uses for it ("next week", "tomorrow", "24 June").
type DateSpan struct {
	Label       string
	First, Last string
}

// PartOfDay is a named span of wall time, [Start, End).
type PartOfDay struct {
	Name       string
	Start, End TimeOfDay
}

// The parts of the day clients name; "early"/"late" split them.
var (
	Morning   = PartOfDay{"morning", 6 * 60, 12 * 60}
	Afternoon = PartOfDay{"afternoon", 12 * 60, 17 * 60}
	Evening   = PartOfDay{"evening", 17 * 60, 21 * 60}
)

var dayParts = map[string]PartOfDay{
	"morning":         Morning,
	"afternoon":       Afternoon,
	"evening":         Evening,
	"early morning":   {"early morning", 6 * 60, 9 * 60},
	"late morning":    {"late morning", 9 * 60, 12 * 60},
	"early afternoon": {"early afternoon", 12 * 60, 15 * 60},
	"late afternoon":  {"late afternoon", 15 * 60, 17 * 60},
	"early evening":   {"early evening", 17 * 60, 19 * 60},
	"late evening":    {"late evening", 19 * 60, 21 * 60},
	"lunchtime":       {"lunchtime", 12 * 60, 14 * 60},
}

// MaxPreferencesText is how much of a preferences text is read; the rest is
// ignored, so hostile input costs little.
const MaxPreferencesText = 500

// maxListed bounds every list in a Condition and the number of Avoid entries.
const maxListed = 16

// ParsePreferences understands a client's free text offline: weekdays
// ("tuesdays", "Tue", "weekend", "weekdays"), parts of the day ("mornings",
// "late afternoon", "PM"), times ("after 5 pm", "before 10:30", "between 2
// and 4", "at 14:00"), dates relative to now in loc ("today", "tomorrow",
// "this week", "next week", "this weekend") and named dates ("June 24",
// "24th of June", "2026-06-24"), "asap", negations ("not Fridays", "anything
// but Monday", "no later than 5") and "only". Words it does not know are
// ignored; it never fails. A nil loc is UTC.
//
// Lists within one wish are alternatives and the wishes combine, so "tuesday
// or thursday afternoons" is read whole, but "tuesday afternoons or thursday
// mornings" also ranks Thursday afternoons as a full fit.
func ParsePreferences(text string, loc *time.Location, now time.Time) Preferences {
	if loc == nil {
		loc = time.UTC
	}
	if len(text) > MaxPreferencesText {
		text = text[:MaxPreferencesText]
	}
	p := parser{toks: tokenize(strings.ToValidUTF8(text, " ")), today: dateOf(now, loc)}
	for p.i < len(p.toks) {
		before := p.i
		p.step()
		p.i = max(p.i, before+1) // always move on, whatever a reader did
	}
	p.flush()
	return p.prefs
}

// segment is what one stretch of text said, until a comma, a "but" or a
// negation ends it.
type segment struct {
	negated, only bool
	cond          Condition // dates, weekdays and parts as said
	after, before TimeOfDay // "after X" and "before X" as said; 0 = not said
}

type parser struct {
	toks  []string
	i     int
	today civilDate
	seg   segment
	prefs Preferences
	// What the last clock read said of am/pm, and whether a range's first
	// time said it: "8-10 pm" is evening throughout.
	meridiem     string
	fromMeridiem bool
}

func (p *parser) peek(k int) string {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return ""
}

func (p *parser) prev() string {
	if p.i >= 2 {
		return p.toks[p.i-2]
	}
	return ""
}

// step reads the next phrase.
func (p *parser) step() {
	t := p.toks[p.i]
	p.i++
	switch {
	case t == ",":
		p.flush()
	case t == "but":
		if anything[p.prev()] { // "anything but Friday"
			p.negate()
		} else {
			p.flush()
		}
	case t == "other" && p.peek(0) == "than":
		p.i++
		p.negate()
	case negations[t]:
		p.negate()
	case softMarkers[t]:
		p.flush()
	case t == "only" || t == "must" || t == "strictly":
		p.seg.only = true
	case asapWords[t], t == "first" && firstWhat[p.peek(0)]:
		p.prefs.ASAP = true
	case t == "as" && p.peek(0) == "soon":
		p.prefs.ASAP = true
	case weekdayWords[t] != 0:
		p.addWeekdays(weekdayWords[t] - 1)
	case t == "weekend" || t == "weekends":
		p.addWeekdays(time.Saturday, time.Sunday)
	case t == "weekday" || t == "weekdays" || t == "workdays" || t == "workday":
		p.addWeekdays(workdays...)
	case (t == "working" || t == "business" || t == "work") && (p.peek(0) == "days" || p.peek(0) == "day"):
		p.i++
		p.addWeekdays(workdays...)
	case t == "weeknight" || t == "weeknights":
		p.addWeekdays(workdays...)
		p.addPart(Evening)
	case t == "today":
		p.addDates(spanOf("today", p.today, p.today))
	case t == "tonight":
		p.addDates(spanOf("today", p.today, p.today))
		p.addPart(Evening)
	case tomorrowWords[t]:
		d := p.today.next()
		p.addDates(spanOf("tomorrow", d, d))
	case t == "day" && p.peek(0) == "after" && tomorrowWords[p.peek(1)]:
		p.i += 2
		d := p.today.next().next()
		p.addDates(spanOf("the day after tomorrow", d, d))
	case t == "this" || t == "next" || t == "coming" || t == "later":
		p.relative(t)
	case t == "early" || t == "late":
		if part, ok := dayParts[t+" "+singular(p.peek(0))]; ok {
			p.i++
			p.addPart(part)
		}
	case t == "night" || t == "nights":
		p.addPart(Evening)
	case t == "lunch" || t == "lunchtime":
		p.addPart(dayParts["lunchtime"])
	case t == "pm":
		p.addPart(Afternoon)
		p.addPart(Evening)
	case t == "am" && (weekdayWords[p.prev()] != 0 || tomorrowWords[p.prev()] || p.prev() == "today" || p.prev() == "the"):
		// Only after a day: "I am free" is not a morning.
		p.addPart(Morning)
	case dayParts[singular(t)].Name != "":
		p.addPart(dayParts[singular(t)])
	case afterWords[t]:
		if t == "later" && p.peek(0) == "than" {
			p.i++
		}
		p.bound(true)
	case beforeWords[t]:
		if t == "earlier" && p.peek(0) == "than" {
			p.i++
		}
		p.bound(false)
	case t == "between":
		if from, ok := p.clock(true); ok && (p.peek(0) == "and" || p.peek(0) == "to") {
			fromMeridiem := p.meridiem != ""
			p.i++
			if to, ok := p.clock(true); ok {
				p.fromMeridiem = fromMeridiem
				p.setRange(from, to)
			}
		}
	case t == "at" || t == "around" || t == "about" || t == "approximately" || t == "approx":
		p.at(t == "at", true)
	case t == "the" && isNumber(p.peek(0)):
		p.dayOfMonth()
	case monthWords[t] != 0 && isNumber(p.peek(0)):
		p.monthDay(monthWords[t])
	case isISODate(t):
		p.isoDate(t)
	case isNumber(t):
		// A date ("24 June"), a time that says it is one ("2 pm", "14:00",
		// "2-4 pm"), or a stray number.
		p.i--
		if !p.dayMonth() && !p.at(true, false) {
			p.i++
		}
	}
}

var (
	workdays      = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	anything      = set("anything", "any", "all", "everything", "day", "days", "time", "anytime", "whenever")
	negations     = set("not", "no", "never", "except", "excluding", "exclude", "without", "avoid", "cant", "cannot", "dont", "wont", "unavailable", "busy", "nor")
	softMarkers   = set("ideally", "preferably", "prefer", "preferred", "rather", "otherwise")
	asapWords     = set("asap", "soonest", "earliest", "urgent", "urgently", "quickly", "immediately")
	firstWhat     = set("available", "free", "slot", "opening", "possible")
	tomorrowWords = set("tomorrow", "tmrw", "tmr", "tomorow", "tommorow", "tommorrow")
	afterWords    = set("after", "from", "since", "past")
	beforeWords   = set("before", "by", "until", "till", "til", "earlier")
	abbreviations = set("am", "pm", "mon", "tue", "tues", "wed", "weds", "thu", "thur", "thurs", "fri", "sat", "sun",
		"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx")
)

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// weekdayWords holds weekday+1, so the zero value means "not a weekday".
var weekdayWords = func() map[string]time.Weekday {
	m := map[string]time.Weekday{}
	names := map[time.Weekday][]string{
		time.Monday:    {"monday", "mon"},
		time.Tuesday:   {"tuesday", "tue", "tues"},
		time.Wednesday: {"wednesday", "wed", "weds"},
		time.Thursday:  {"thursday", "thu", "thur", "thurs"},
		time.Friday:    {"friday", "fri"},
		time.Saturday:  {"saturday", "sat"},
		time.Sunday:    {"sunday", "sun"},
	}
	for d, ws := range names {
		for _, w := range ws {
			m[w] = d + 1
		}
		m[ws[0]+"s"] = d + 1
	}
	return m
}()

var monthWords = func() map[string]time.Month {
	m := map[string]time.Month{"sept": time.September}
	for mo := time.January; mo <= time.December; mo++ {
		name := strings.ToLower(mo.String())
		m[name] = mo
		m[name[:3]] = mo
	}
	return m
}()

func singular(w string) string { return strings.TrimSuffix(w, "s") }

// negate ends what was said so far; what follows, until the next comma, is ruled out.
func (p *parser) negate() {
	p.flush()
	p.seg.negated = true
}

// relative reads "this/next/coming week", "next weekend", "this month",
// "later this week", "this afternoon".
func (p *parser) relative(t string) {
	if t == "later" {
		if p.peek(0) == "than" { // "later than 5": after
			p.i++
			p.bound(true)
			return
		}
		if p.peek(0) != "this" {
			return
		}
		p.i++
		t = "this"
	}
	next := t != "this"
	label := "this"
	if next {
		label = "next"
	}
	monday := p.today
	for monday.weekday() != time.Monday {
		monday = monday.prev()
	}
	if next {
		monday = monday.plus(7)
	}
	first := monday
	if !next {
		first = p.today
	}
	switch w := p.peek(0); {
	case w == "week":
		p.i++
		p.addDates(spanOf(label+" week", first, monday.plus(6)))
	case w == "weekend":
		p.i++
		if sat := monday.plus(5); !first.after(sat) {
			first = sat
		}
		p.addDates(spanOf(label+" weekend", first, monday.plus(6)))
	case w == "month":
		p.i++
		start := p.today
		if next {
			start = civilDate{p.today.year, p.today.month + 1, 1}.normalised()
		}
		end := civilDate{start.year, start.month + 1, 0}.normalised() // day 0 is the month's last
		p.addDates(spanOf(label+" month", start, end))
	case t == "this" && dayParts[singular(w)].Name != "":
		p.i++
		p.addDates(spanOf("today", p.today, p.today))
		p.addPart(dayParts[singular(w)])
	}
}

// bound reads the time after "after" (after is true) or "before", and a
// range "from 2 to 4".
func (p *parser) bound(after bool) {
	t, ok := p.clock(true)
	if !ok {
		return
	}
	if after && (p.peek(0) == "to" || p.peek(0) == "until" || p.peek(0) == "till" || p.peek(0) == "and") {
		fromMeridiem := p.meridiem != ""
		p.i++
		p.fromMeridiem = fromMeridiem
		if to, ok := p.clock(true); ok {
			p.setRange(t, to)
			return
		}
		p.i--
	}
	if after {
		p.seg.after = t
	} else {
		p.seg.before = t
	}
}

// setRange sets both bounds; "8-10 pm" is 8 pm to 10 pm.
func (p *parser) setRange(from, to TimeOfDay) {
	if p.meridiem == "pm" && !p.fromMeridiem && from < 12*60 && from+12*60 < to {
		from += 12 * 60
	}
	if from < to {
		p.seg.after, p.seg.before = from, to
	}
}

// at reads a time named on its own: "at 3 pm" is that start, "around 3 pm"
// the hour either side, "2-4 pm" a range. A bare number ("at 3") counts only
// when bare is true; false when nothing was read.
func (p *parser) at(exact, bare bool) bool {
	start := p.i
	t, ok := p.clock(bare || p.peek(1) == "to")
	if !ok {
		return false
	}
	if p.peek(0) == "to" {
		fromMeridiem := p.meridiem != ""
		p.i++
		if to, ok := p.clock(true); ok {
			p.fromMeridiem = fromMeridiem
			p.setRange(t, to)
			return true
		}
		p.i--
	}
	if !bare && p.meridiem == "" && !strings.Contains(p.toks[start], ":") {
		p.i = start // "2 to …" that was no range
		return false
	}
	if exact {
		p.addPart(PartOfDay{Name: "at " + t.spoken(), Start: t, End: t + 1})
	} else {
		p.addPart(PartOfDay{Name: "around " + t.spoken(), Start: max(t-60, 0), End: min(t+60, EndOfDay)})
	}
	return true
}

// clock reads a time of day at the cursor: "2", "2 pm", "2:30pm", "14:00",
// "10.30", "noon", "midnight". Without am/pm, 1 to 6 are afternoon hours
// (appointments rarely start at 3 am), other hours as on a 24-hour clock.
// On failure nothing is consumed.
func (p *parser) clock(bare bool) (TimeOfDay, bool) {
	t := p.peek(0)
	p.meridiem = ""
	switch t {
	case "noon", "midday":
		p.i++
		return 12 * 60, true
	case "midnight":
		p.i++
		return 0, true
	}
	h, m, hasMinutes, ok := parseHourMinute(t)
	if !ok {
		return 0, false
	}
	meridiem := p.peek(1)
	switch {
	case meridiem == "am" || meridiem == "pm":
		if h < 1 || h > 12 {
			return 0, false
		}
		h %= 12
		if meridiem == "pm" {
			h += 12
		}
		p.meridiem = meridiem
		p.i += 2
	case !bare && !hasMinutes:
		return 0, false
	default:
		if h > 24 || (h == 24 && m > 0) {
			return 0, false
		}
		if h >= 1 && h <= 6 && t[0] != '0' {
			h += 12
		}
		p.i++
	}
	if p.peek(0) == "oclock" {
		p.i++
	}
	return TimeOfDay(h*60 + m), true
}

// parseHourMinute reads "2", "14", "2:30" or "09:05".
func parseHourMinute(s string) (h, m int, hasMinutes, ok bool) {
	hs, ms, hasMinutes := strings.Cut(s, ":")
	if len(hs) < 1 || len(hs) > 2 || (hasMinutes && len(ms) != 2) {
		return 0, 0, false, false
	}
	h, ok = digits(hs)
	if !ok {
		return 0, 0, false, false
	}
	if hasMinutes {
		if m, ok = digits(ms); !ok || m > 59 {
			return 0, 0, false, false
		}
	}
	return h, m, hasMinutes, true
}

func digits(s string) (int, bool) {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, s != ""
}

func isNumber(s string) bool {
	_, _, _, ok := parseHourMinute(s)
	return ok
}

func isISODate(s string) bool {
	_, err := time.Parse(dateLayout, s)
	return err == nil
}

func (p *parser) isoDate(s string) {
	d, err := time.Parse(dateLayout, s)
	if err != nil {
		return
	}
	y, m, dd := d.Date()
	c := civilDate{y, m, dd}
	p.addDates(spanOf(p.dateLabel(c), c, c))
}

// dayOfMonth reads "the 24th" (without a month): the next such date.
func (p *parser) dayOfMonth() {
	n, ok := digits(p.peek(0))
	if !ok || !isOrdinal(p.peek(1)) {
		return
	}
	p.i += 2
	if p.peek(0) == "of" && monthWords[p.peek(1)] != 0 {
		p.i++
		mo := monthWords[p.peek(0)]
		p.i++
		p.addDay(mo, n)
		return
	}
	if mo := monthWords[p.peek(0)]; mo != 0 {
		p.i++
		p.addDay(mo, n)
		return
	}
	for k := range 3 { // the next month that has this day
		c := civilDate{p.today.year, p.today.month + time.Month(k), 1}.normalised()
		c.day = n
		if c.normalised() == c && !c.before(p.today) {
			p.addDates(spanOf(p.dateLabel(c), c, c))
			return
		}
	}
}

// monthDay reads "June 24", "Jun 24th", "June 24 2027".
func (p *parser) monthDay(mo time.Month) {
	n, ok := digits(p.peek(0))
	if !ok {
		return
	}
	p.i++
	if isOrdinal(p.peek(0)) {
		p.i++
	}
	p.addDay(mo, n)
}

// dayMonth reads "24 June", "24th of June" at the cursor; false leaves the cursor.
func (p *parser) dayMonth() bool {
	n, ok := digits(p.peek(0))
	if !ok {
		return false
	}
	k := 1
	if isOrdinal(p.peek(k)) {
		k++
	}
	if p.peek(k) == "of" {
		k++
	}
	mo := monthWords[p.peek(k)]
	if mo == 0 {
		return false
	}
	p.i += k + 1
	p.addDay(mo, n)
	return true
}

func isOrdinal(w string) bool { return w == "st" || w == "nd" || w == "rd" || w == "th" }

// addDay adds day n of month mo: the given year if one follows, else the
// next such date from today.
func (p *parser) addDay(mo time.Month, n int) {
	year := p.today.year
	if y, ok := digits(p.peek(0)); ok && len(p.peek(0)) == 4 {
		p.i++
		year = y
	} else if (civilDate{year, mo, n}).before(p.today) {
		year++
	}
	c := civilDate{year, mo, n}
	if n < 1 || c.normalised() != c {
		return // "June 31"
	}
	p.addDates(spanOf(p.dateLabel(c), c, c))
}

func (p *parser) dateLabel(c civilDate) string {
	if c.year != p.today.year {
		return fmt.Sprintf("%d %s %d", c.day, c.month, c.year)
	}
	return fmt.Sprintf("%d %s", c.day, c.month)
}

func spanOf(label string, first, last civilDate) DateSpan {
	return DateSpan{Label: label, First: first.String(), Last: last.String()}
}

func (p *parser) addWeekdays(ds ...time.Weekday) {
	for _, d := range ds {
		p.seg.cond.Weekdays = appendNew(p.seg.cond.Weekdays, d)
	}
}

func (p *parser) addPart(part PartOfDay) { p.seg.cond.Parts = appendNew(p.seg.cond.Parts, part) }

func (p *parser) addDates(d DateSpan) { p.seg.cond.Dates = appendNew(p.seg.cond.Dates, d) }

// appendNew appends v unless the list has it or is full.
func appendNew[T comparable](list []T, v T) []T {
	if len(list) >= maxListed {
		return list
	}
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// flush files what the segment said as a wish, a requirement or an exclusion.
func (p *parser) flush() {
	s := p.seg
	p.seg = segment{}
	c := s.cond
	if c.isZero() && s.after == 0 && s.before == 0 {
		return
	}
	switch {
	case s.negated && c.isZero() && (s.after == 0) != (s.before == 0):
		// "not before 2 pm" starts at 2 pm or later; "not after 5 pm" ends by 5 pm.
		if s.before != 0 {
			p.prefs.Require.From = max(p.prefs.Require.From, s.before)
		} else if r := &p.prefs.Require; r.Until == 0 || s.after < r.Until {
			r.Until = s.after
		}
	case s.negated:
		c.From, c.Until = s.after, s.before
		if len(p.prefs.Avoid) < maxListed {
			p.prefs.Avoid = append(p.prefs.Avoid, c)
		}
	case s.only:
		r := &p.prefs.Require
		mergeLists(r, c)
		r.From = max(r.From, s.after)
		if s.before != 0 && (r.Until == 0 || s.before < r.Until) {
			r.Until = s.before
		}
	default:
		w := &p.prefs.Prefer
		mergeLists(w, c)
		if s.after != 0 {
			w.From = s.after // the latest said wins
		}
		if s.before != 0 {
			w.Until = s.before
		}
	}
}

func mergeLists(into *Condition, c Condition) {
	for _, d := range c.Dates {
		into.Dates = appendNew(into.Dates, d)
	}
	for _, d := range c.Weekdays {
		into.Weekdays = appendNew(into.Weekdays, d)
	}
	for _, part := range c.Parts {
		into.Parts = appendNew(into.Parts, part)
	}
}

// tokenize lowers the text and splits it into words, numbers ("2", "10:30",
// "2026-06-24"), "," for anything that ends a clause, "to" for a dash between
// times and "or" for a slash. "p.m." becomes "pm", "can't" becomes "cant",
// and a full stop after an abbreviation ("Tue.") is not an end.
func tokenize(text string) []string {
	rs := []rune(strings.ToLower(text))
	var toks []string
	emit := func(t string) {
		if t == "," && (len(toks) == 0 || toks[len(toks)-1] == ",") {
			return
		}
		toks = append(toks, t)
	}
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsLetter(r):
			var b strings.Builder
			j := i
			for j < len(rs) {
				switch {
				case unicode.IsLetter(rs[j]):
					b.WriteRune(rs[j])
				case (rs[j] == '\'' || rs[j] == '’') && j+1 < len(rs) && unicode.IsLetter(rs[j+1]):
					// can't, o'clock
				case rs[j] == '.' && j+1 < len(rs) && unicode.IsLetter(rs[j+1]) && utf8.RuneCountInString(b.String()) == 1:
					// p.m, a.m
				default:
					goto done
				}
				j++
			}
		done:
			word := b.String()
			if j < len(rs) && rs[j] == '.' && abbreviations[word] {
				j++
			}
			emit(word)
			i = j
		case r >= '0' && r <= '9':
			if iso := string(rs[i:min(i+10, len(rs))]); len(iso) == 10 && isISODate(iso) {
				emit(iso)
				i += 10
				continue
			}
			j := i
			for j < len(rs) && (rs[j] >= '0' && rs[j] <= '9' || (rs[j] == ':' || rs[j] == '.') && j+1 < len(rs) && rs[j+1] >= '0' && rs[j+1] <= '9') {
				j++
			}
			emit(strings.ReplaceAll(string(rs[i:j]), ".", ":"))
			i = j
		case r == '-' || r == '–':
			if i > 0 && unicode.IsDigit(rs[i-1]) || i+1 < len(rs) && unicode.IsDigit(rs[i+1]) || len(toks) > 0 && (toks[len(toks)-1] == "am" || toks[len(toks)-1] == "pm") {
				emit("to")
			}
			i++
		case r == '/':
			emit("or")
			i++
		case r == '&' || r == '+':
			emit("and")
			i++
		case strings.ContainsRune(",;.!?()[]{}:—\n", r):
			emit(",")
			i++
		default:
			i++
		}
	}
	return toks
}

// Date arithmetic the parser needs, done at UTC noon like civilDate.next.

func (c civilDate) noonUTC() time.Time {
	return time.Date(c.year, c.month, c.day, 12, 0, 0, 0, time.UTC)
}

func (c civilDate) normalised() civilDate {
	y, m, d := c.noonUTC().Date()
	return civilDate{y, m, d}
}

func (c civilDate) plus(days int) civilDate {
	return civilDate{c.year, c.month, c.day + days}.normalised()
}

func (c civilDate) prev() civilDate { return c.plus(-1) }

func (c civilDate) before(o civilDate) bool { return o.after(c) }

// spoken is how a reason says a time of day: "2 pm", "10:30 am", "noon".
func (t TimeOfDay) spoken() string {
	switch t {
	case 0, EndOfDay:
		return "midnight"
	case 12 * 60:
		return "noon"
	}
	h, m := int(t)/60, int(t)%60
	suffix := "am"
	if h >= 12 {
		suffix = "pm"
	}
	if h = h % 12; h == 0 {
		h = 12
	}
	if m == 0 {
		return fmt.Sprintf("%d %s", h, suffix)
	}
	return fmt.Sprintf("%d:%02d %s", h, m, suffix)
}
