# Production image for the api and worker binaries (neither links the Temporal server).
# The worker links Tesseract (cgo) and runs poppler's tools for OCR, so both stages carry them;
# the api links it too, as it checks uploads with internal/ocr (see the build step).
# The operator console: built here, embedded into the api binary (web/embed.go).
FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM golang:1.26-bookworm AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        g++ libtesseract-dev libleptonica-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /src/web/dist/app ./web/dist/app
# Both link Tesseract for now: the API checks uploads with internal/ocr's Sniff and Inspect.
RUN CGO_ENABLED=1 go build -trimpath -ldflags='-s -w' -o /out/ ./cmd/api ./cmd/worker

FROM debian:bookworm-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ca-certificates libtesseract5 tesseract-ocr-eng poppler-utils \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/api /out/worker /usr/local/bin/
# One Tesseract client per core, each single-threaded: libgomp reads this at load time
# (ocr.EnsureOpenMPThreadLimit re-executes the worker when it is missing).
ENV OMP_THREAD_LIMIT=1
USER nobody
ENTRYPOINT ["/usr/local/bin/api"]
