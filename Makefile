# The two commands: `make dev` runs the whole product, `make test` runs every test.
# Both work on a fresh machine with Go: they install what they need themselves.

SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin
export GOFLAGS := -buildvcs=false

BIN   := $(CURDIR)/bin
TOOLS := $(BIN)/tools
# npm ci writes it: newer than the lock file means web/node_modules is current.
WEB_MODULES := web/node_modules/.package-lock.json

SQLC_VERSION          := v1.31.1
WORKFLOWCHECK_VERSION := v0.6.0
# staticcheck's module version: v0.8.2 is release 2026.2.2, the newest, built for Go 1.26
# (the proxy serves it under the module version only, not the 2026.x release name).
STATICCHECK_VERSION   := v0.8.2

# Production binaries: stripped (-s -w keeps the module list `go version -m` reads).
LDFLAGS := -s -w

.PHONY: web web-dev record-histories dev test build generate check-generate vet lint fmt-check workflowcheck fuzz eval-routing eval-documents bench bench-documents bench-slots crash-test crash-test-documents crash-test-bookings crash-test-calendar race-bookings tools deps clean

## dev: build and run API, worker, embedded Temporal + Web UI and PostgreSQL in one process (the console at /)
dev: deps web
	go build -o $(BIN)/astralis ./cmd/astralis
	$(BIN)/astralis dev

# The packages that link the Temporal server or versitygw have no tests of their own (the harness,
# the e2e and objectstore tests exercise them); leaving them out spares the race build a second compile.
TEST_PKGS = $(shell go list ./... | grep -v -e '/cmd/astralis$$' -e '/internal/devtemporal$$' -e '/internal/devs3$$')

## test: formatting, vet, staticcheck, determinism check, generated-code check, then every test against real PostgreSQL and Temporal
test: deps tools web fmt-check vet lint workflowcheck check-generate
	go build -o $(BIN)/astralis ./cmd/astralis
	$(BIN)/astralis testenv -- go test -race -count=1 $(TEST_PKGS)

## record-histories: run the integration tests, exporting each distinct workflow path's history into
## workflows/testdata/histories (new files only) for the replay test; commit the new files
record-histories:
	go build -o $(BIN)/astralis ./cmd/astralis
	$(BIN)/astralis testenv -- env ASTRALIS_RECORD_HISTORIES=$(CURDIR)/workflows/testdata/histories go test -count=1 ./cmd/internal/app/

## eval-routing: routing accuracy on ../shared/data/banking77 through the API (starts its own astralis dev): cold, then warm after importing history
ROUTING_DATA ?= ../shared/data/banking77
eval-routing:
	go build -o $(BIN)/astralis ./cmd/astralis
	$(BIN)/astralis eval-routing --data $(ROUTING_DATA)

## eval-documents: reading receipts (OCR word F1 and CER, fields exact-match) on ../shared/data/sroie through the API
## (starts its own astralis dev): cold, then warm with imported vendors and every receipt reviewed in turn
DOCUMENTS_DATA ?= ../shared/data/sroie
eval-documents: deps
	go build -o $(BIN)/astralis ./cmd/astralis
	$(BIN)/astralis eval-documents --data $(DOCUMENTS_DATA)

## bench: the workflow engine's ceiling beside end-to-end intakes (HTTP POST → routed) and accept latency
bench:
	go build -o $(BIN)/astralis ./cmd/astralis
	$(BIN)/astralis bench

## bench-documents: on the same receipts, time per page end to end (1 and 2 in flight) beside bare gosseract,
## with the tesseract CLI and ocrmypdf as anchors (installed here when missing)
bench-documents: deps
	$(call install-missing,$(ANCHOR_PACKAGES),the benchmark's anchors need)
	go build -o $(BIN)/astralis ./cmd/astralis
	$(BIN)/astralis bench-documents --data $(DOCUMENTS_DATA)

## bench-slots: free slots for 20 operators × 90 days with 10,000 busy events (a Go benchmark, no services needed)
bench-slots:
	go test -run '^$$' -bench BenchmarkFreeSlots -benchmem -benchtime 2s ./internal/scheduling/

## crash-test: kill -9 astralis dev during 500 in-flight intakes, restart, check every request ended once
crash-test:
	go build -o $(BIN)/astralis ./cmd/astralis
	$(BIN)/astralis crash-test

## race-bookings: 50 concurrent bookings of one slot (one wins) and 50 concurrent reschedules into one slot (one moves), over HTTP
race-bookings: deps
	go build -o $(BIN)/astralis ./cmd/astralis
	$(BIN)/astralis testenv -- go test -count=1 -v -run 'TestFiftyBookingsOfOneSlotGiveOne|TestFiftyReschedulesIntoOneSlotGiveOne' ./cmd/internal/app/

## crash-test-bookings: kill -9 astralis dev between a booking and its reminder, restart, check the reminder is mailed once
crash-test-bookings:
	go build -o $(BIN)/astralis ./cmd/astralis
	$(BIN)/astralis crash-test-bookings

## crash-test-calendar: kill -9 astralis dev mid-sync of a 1,000-event Google Calendar (a fake), and again mid
## incremental sync; restart; check no event lost or doubled, no booking event doubled, the sync resumed from its token
crash-test-calendar:
	go build -o $(BIN)/astralis ./cmd/astralis
	$(BIN)/astralis crash-test-calendar

## crash-test-documents: kill -9 astralis dev halfway through OCR of a 100-page scan, restart, check it finished once
crash-test-documents: deps
	go build -o $(BIN)/astralis ./cmd/astralis
	$(BIN)/astralis crash-test-documents

## build: the three binaries into bin/ (the API's with the console built into it)
build: web
	go build -trimpath -ldflags='$(LDFLAGS)' -o $(BIN)/ ./cmd/api ./cmd/worker
	go build -o $(BIN)/astralis ./cmd/astralis

## generate: regenerate the typed SQL code (internal/store) from migrations/ and internal/store/queries/,
## and the console's typed API client (web/src/api/schema.d.ts) from api/openapi.json
generate: tools $(WEB_MODULES)
	$(TOOLS)/sqlc generate
	cd web && npm run generate

## check-generate: fail when the committed generated code is stale
check-generate: tools $(WEB_MODULES)
	@$(TOOLS)/sqlc diff || { echo "internal/store is stale: run 'make generate' and commit the result"; exit 1; }
	@tmp=$$(mktemp -d) && trap 'rm -rf '$$tmp EXIT && \
	(cd web && npx --no-install openapi-typescript ../api/openapi.json -o $$tmp/schema.d.ts >/dev/null) && \
	{ cmp -s $$tmp/schema.d.ts web/src/api/schema.d.ts || { echo "web/src/api/schema.d.ts is stale: run 'make generate' and commit the result"; exit 1; }; }

# The console (web/): npm ci whenever the lock file changed, then a production build into
# web/dist/app, which the API binary embeds. Plain `go build` works without it (web/dist/README
# keeps the embed pattern valid) but then serves no console: dev, build and test depend on `web`.
# The build fails when the first load's JavaScript passes 250 kB gzipped.
## web: build the operator console (npm ci when needed, type check, vite build, first-load size)
web: $(WEB_MODULES)
	cd web && npm run build

$(WEB_MODULES): web/package.json web/package-lock.json | node
	cd web && npm ci --no-audit --no-fund

## web-dev: Vite's dev server (hot reload) with /api proxied to the API of `make dev` (ASTRALIS_API to change it)
web-dev: $(WEB_MODULES)
	cd web && npm run dev

# Vite 8 needs Node.js 20.19 or newer.
.PHONY: node
node:
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "Node.js 20.19+ with npm is required: https://nodejs.org/"; exit 1; }
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)' || { echo "Node.js 20.19+ is required, found $$(node --version)"; exit 1; }

vet:
	go vet ./...

## lint: staticcheck over the whole module (its default checks)
lint: $(TOOLS)/staticcheck
	$(TOOLS)/staticcheck ./...

## fmt-check: fail when a tracked Go file is not gofmt-formatted, listing the files
fmt-check:
	@files=$$(git ls-files '*.go') || exit 1; \
	[ -n "$$files" ] || { echo "fmt-check: no tracked .go files (not a git checkout?)"; exit 1; }; \
	existing=(); for f in $$files; do [ -e "$$f" ] && existing+=("$$f"); done; \
	unformatted=$$(gofmt -l "$${existing[@]}") || exit 1; \
	if [ -n "$$unformatted" ]; then echo "not gofmt-formatted (run gofmt -w on them):"; echo "$$unformatted"; exit 1; fi

## fuzz: run each fuzz test for FUZZTIME (their seed corpora also run in `make test`)
FUZZTIME ?= 30s
fuzz:
	go test ./api/ -run '^$$' -fuzz '^FuzzSignUpDecoder$$' -fuzztime $(FUZZTIME)
	go test ./api/ -run '^$$' -fuzz '^FuzzLoginDecoder$$' -fuzztime $(FUZZTIME)
	go test ./internal/ocr/ -run '^$$' -fuzz '^FuzzSniffAndInspect$$' -fuzztime $(FUZZTIME)

workflowcheck: tools
	$(TOOLS)/workflowcheck -show-pos ./...

tools: $(TOOLS)/sqlc $(TOOLS)/workflowcheck $(TOOLS)/staticcheck

$(TOOLS)/sqlc: | deps
	GOBIN=$(TOOLS) go install github.com/sqlc-dev/sqlc/cmd/sqlc@$(SQLC_VERSION)

$(TOOLS)/workflowcheck:
	GOBIN=$(TOOLS) go install go.temporal.io/sdk/contrib/tools/workflowcheck@$(WORKFLOWCHECK_VERSION)

$(TOOLS)/staticcheck:
	GOBIN=$(TOOLS) go install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

# Debian packages for OCR: Tesseract and Leptonica headers (gosseract is cgo), the English model, poppler's
# pdfinfo/pdftotext/pdftoppm; g++ compiles gosseract's C++ bridge.
OCR_PACKAGES := g++ libtesseract-dev libleptonica-dev tesseract-ocr-eng poppler-utils

# libical's GObject bindings for Debian's own python3 (/usr/bin/python3): the invite tests parse every
# rendered invite with libical and run its RFC 5546 restriction checks (internal/invite/invitetest).
ICAL_TEST_PACKAGES := python3 python3-gi gir1.2-ical-3.0

# The console's end-to-end tests drive Debian's Chromium (headless).
WEB_TEST_PACKAGES := chromium

# The benchmark's anchors: Tesseract's own command line and ocrmypdf.
ANCHOR_PACKAGES := tesseract-ocr ocrmypdf

# install-missing: apt-get install those of the Debian packages $(1) that are missing when root, else say what $(2).
define install-missing
@missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else echo "$(2): sudo apt-get install $$missing"; exit 1; fi; fi
endef

# A C compiler is needed by the race detector and sqlc's PostgreSQL parser.
# PostgreSQL and clamd (clamav-daemon) are installed by `astralis dev`/`testenv` when missing.
deps:
	@command -v go >/dev/null || { echo "Go is required: https://go.dev/dl/"; exit 1; }
	@command -v gcc >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libc6-dev; \
		else echo "gcc is required (sudo apt-get install gcc)"; exit 1; fi; }
	@# internal/ocr links Tesseract through cgo (headers to build, the English model to run) and runs poppler's tools.
	$(call install-missing,$(OCR_PACKAGES),OCR needs)
	$(call install-missing,$(ICAL_TEST_PACKAGES),the invite tests need)
	$(call install-missing,$(WEB_TEST_PACKAGES),the console's browser tests need)
	@$(MAKE) --no-print-directory $(WEB_MODULES)

clean:
	rm -rf $(BIN) web/dist/app web/node_modules
