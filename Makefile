# Kense: `make run` starts the app, `make test` runs every test. Both install
# what a fresh Debian/Ubuntu machine lacks (Fyne's cgo headers, poppler).
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin:$(HOME)/go/bin
GO ?= go
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Fyne's OpenGL/X11 headers; pdftotext and zbarimg read the PDFs back in tests.
SYSTEM_PKGS := gcc pkg-config libgl1-mesa-dev xorg-dev poppler-utils zbar-tools
WINDOWS_PKGS := gcc-mingw-w64-x86-64
VERSION := $(shell sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
LDFLAGS := -X kense/version.Version=$(VERSION)

.PHONY: run test deps deps-windows build windows vet fmt-check

define install_missing
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
endef

deps:
	$(call install_missing,$(SYSTEM_PKGS))

deps-windows:
	$(call install_missing,$(WINDOWS_PKGS))

build: deps
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/ ./cmd/...

# make run: the app against a local demo kense-server (a demo PKI, key files
# and accounts made in $(DEMO_DIR) on the first run; it prints them). The
# server stops when the app closes. KENSE_SERVER=URL make run uses yours.
DEMO_DIR ?= $(HOME)/.kense-demo
DEMO_PORT ?= 8443
run: build
	@if [ -n "$$KENSE_SERVER" ]; then exec ./bin/kense -server "$$KENSE_SERVER"; fi; \
	./bin/kense-server serve -data "$(DEMO_DIR)" -demo -addr 127.0.0.1:$(DEMO_PORT) & srv=$$!; \
	trap 'kill $$srv 2>/dev/null' EXIT INT TERM; \
	for i in $$(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$(DEMO_PORT)) 2>/dev/null && break; sleep 0.2; done; \
	./bin/kense -server http://127.0.0.1:$(DEMO_PORT)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# third_party/gofpdf is its own module (a patched gofpdf): ./... skips it.
vet: deps
	$(GO) vet ./...
	cd third_party/gofpdf && $(GO) vet .

test: deps fmt-check vet
	$(GO) test -race -count=1 -timeout 40m ./...
	cd third_party/gofpdf && $(GO) test -race -count=1 .

# windows/amd64 cross-build with mingw-w64: keeps the main platform green.
windows: deps-windows
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
		$(GO) build -trimpath -ldflags "$(LDFLAGS) -H=windowsgui -s -w" -o dist/windows/kense.exe ./cmd/kense
	CGO_ENABLED=0 GOOS=windows GOARCH=amd64 \
		$(GO) build -trimpath -ldflags "$(LDFLAGS) -s -w" -o dist/windows/kensectl.exe ./cmd/kensectl

include release.mk
