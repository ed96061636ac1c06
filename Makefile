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

run: build
	./bin/kense

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet: deps
	$(GO) vet ./...

test: deps fmt-check vet
	$(GO) test -race -count=1 -timeout 40m ./...

# windows/amd64 cross-build with mingw-w64: keeps the main platform green.
windows: deps-windows
	CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
		$(GO) build -trimpath -ldflags "$(LDFLAGS) -H=windowsgui -s -w" -o dist/windows/kense.exe ./cmd/kense
	CGO_ENABLED=0 GOOS=windows GOARCH=amd64 \
		$(GO) build -trimpath -ldflags "$(LDFLAGS) -s -w" -o dist/windows/kensectl.exe ./cmd/kensectl

include release.mk
