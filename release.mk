# The Windows release (issue 9), included by the Makefile.
#
#   make release          dist/: kense.exe, kensectl.exe, kense-$(VERSION)-x64.msi,
#                         kense-server-$(VERSION)-linux-amd64.tar.gz,
#                         THIRD_PARTY_NOTICES.txt (the exes'), SHA256SUMS
#   make release-check    kensectl.exe built twice (second time with an empty
#                         Go build cache) must be byte-identical
#   make release-verify   msiinfo / objdump / osslsigncode checks of dist/
#   make release-ci       all three, signed with a throwaway test certificate
#   make release-msi-test install / upgrade / uninstall the MSI under Wine
#
# Signing (Authenticode, osslsigncode): SIGN_CERT = PEM chain or .pfx/.p12,
# SIGN_KEY = PEM key (not with .pfx), SIGN_PASS = key/pfx password (given on
# osslsigncode's stdin, never on a command line), SIGN_TSA = RFC 3161 URL
# (optional). Without SIGN_CERT the release is built UNSIGNED and says so.
# release-verify checks signatures against SIGN_CA (a CA file; default: the
# system store) unless RELEASE_UNSIGNED_OK=1.

# file and binutils (strings) are used by release/verify.sh; a minimal Debian
# image has neither.
RELEASE_PKGS := gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 msitools wixl osslsigncode openssl \
	file binutils
RB := build/release
DIST := dist
MKWIN := $(RB)/mkwin
# MSI compares the first three fields only (Build would not upgrade), so the
# MSI carries MAJOR.MINOR.PATCH; the exe resources carry all four.
MSI_VERSION = $(shell $(MKWIN) version -field version)
VERSION_4 = $(shell $(MKWIN) version -field msi)
VERSION_COMMA = $(shell $(MKWIN) version -field comma)
# One fixed time for tar entries and signatures: the last commit's.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
UPGRADE_CODE := $(shell sed -n 's/.*UpgradeCode="\([^"]*\)".*/\1/p' release/kense.wxs)
MSI := kense-$(VERSION)-x64.msi
SERVER_TGZ := kense-server-$(VERSION)-linux-amd64.tar.gz
# -buildid= : no build id, so the same sources link to the same bytes.
REL_LDFLAGS := $(LDFLAGS) -s -w -buildid=
WINENV := GOOS=windows GOARCH=amd64
SYSO := rsrc_windows_amd64.syso
# DLLs an exe may import: Windows' own, nothing that ships with mingw.
SYSTEM_DLLS := kernel32 user32 gdi32 opengl32 shell32 ole32 oleaut32 advapi32 \
	comdlg32 comctl32 winmm ws2_32 imm32 dwmapi shcore uxtheme version \
	crypt32 bcrypt ncrypt secur32 iphlpapi dnsapi netapi32 userenv winspool.drv \
	msvcrt ntdll powrprof setupapi shlwapi cfgmgr32 hid wtsapi32 \
	api-ms-win-core-synch-l1-2-0 api-ms-win-core-path-l1-1-0

.PHONY: release release-deps release-check release-verify release-ci release-msi-test release-clean

release-deps:
	$(call install_missing,$(RELEASE_PKGS))

$(MKWIN): release/mkwin/main.go
	@mkdir -p $(RB)
	$(GO) build -o $@ ./release/mkwin

# windres input for one exe: $(1) = cmd dir name, $(2) = description.
define winres
	sed -e 's|@ASSEMBLY@|Kense.$(1)|; s|@MSIVERSION@|$(VERSION_4)|; s|@DESCRIPTION@|$(2)|' \
		release/kense.manifest > $(RB)/$(1).manifest
	sed -e 's|@FILENAME@|$(1).exe|g; s|@MANIFEST@|$(1).manifest|; s|@ICON@|kense.ico|; \
		s|@COMMA@|$(VERSION_COMMA)|g; s|@DESCRIPTION@|$(2)|; s|@VERSION@|$(VERSION)|g; s|@NAME@|$(1)|' \
		release/versioninfo.rc.in > $(RB)/$(1).rc
	cd $(RB) && x86_64-w64-mingw32-windres -O coff -i $(1).rc -o $(1).syso
endef

# The signing step for one file: $(1) in, $(2) out.
define sign
	if [ -n "$$SIGN_CERT" ]; then \
		case "$$SIGN_CERT" in *.pfx|*.p12) cred=(-pkcs12 "$$SIGN_CERT");; \
			*) cred=(-certs "$$SIGN_CERT" -key "$${SIGN_KEY:?SIGN_KEY is needed with a PEM SIGN_CERT}");; esac; \
		ts=(); [ -n "$$SIGN_TSA" ] && ts=(-ts "$$SIGN_TSA"); \
		printf '%s' "$$SIGN_PASS" | osslsigncode sign "$${cred[@]}" -readpass - -h sha256 \
			-n Kense -i https://kense.kz -time $(SOURCE_DATE_EPOCH) "$${ts[@]}" \
			-in $(1) -out $(2) >/dev/null || exit 1; \
	else cp $(1) $(2); fi
endef

release: release-deps $(MKWIN)
	@set -e; \
	rm -rf $(RB)/unsigned $(RB)/signed $(RB)/msi $(RB)/server; \
	mkdir -p $(RB)/unsigned $(RB)/signed $(RB)/msi $(RB)/server/kense-server $(DIST); \
	rm -f $(DIST)/kense.exe $(DIST)/kensectl.exe $(DIST)/kense-*.msi $(DIST)/kense-server-*.tar.gz \
		$(DIST)/THIRD_PARTY_NOTICES.txt $(DIST)/SHA256SUMS $(DIST)/UNSIGNED.txt; \
	$(MKWIN) version >/dev/null; \
	$(MKWIN) ico -placeholder -in assets/icon.png -out $(RB)/kense.ico
	@# Licences of everything linked in (MIT/BSD want them with binary copies,
	@# the OFL with the fonts). First, so a dependency without a licence stops
	@# the release before the long builds. The targets must match the go build
	@# lines below (GOOS/GOARCH, cgo); verify.sh compares with go version -m.
	@echo "THIRD_PARTY_NOTICES.txt (release/notices)"; set -e; \
	$(GO) run ./release/notices -go $(GO) -o $(RB)/THIRD_PARTY_NOTICES.txt \
		windows/amd64/cgo:./cmd/kense windows/amd64:./cmd/kensectl; \
	$(GO) run ./release/notices -go $(GO) -o $(RB)/server/kense-server/THIRD_PARTY_NOTICES.txt \
		linux/amd64:./cmd/kense-server
	$(call winres,kense,Kense)
	$(call winres,kensectl,Kense command line)
	@# The .syso files exist only while go build runs: a plain `make windows`
	@# or `go build` never links a stale version resource.
	@set -e; trap 'rm -f cmd/kense/$(SYSO) cmd/kensectl/$(SYSO)' EXIT; \
	cp $(RB)/kense.syso cmd/kense/$(SYSO); cp $(RB)/kensectl.syso cmd/kensectl/$(SYSO); \
	echo "go build kense.exe (cgo, mingw-w64)"; \
	CGO_ENABLED=1 $(WINENV) CC=x86_64-w64-mingw32-gcc $(GO) build -trimpath -buildvcs=false \
		-ldflags "$(REL_LDFLAGS) -H=windowsgui" -o $(RB)/unsigned/kense.exe ./cmd/kense; \
	echo "go build kensectl.exe"; \
	CGO_ENABLED=0 $(WINENV) $(GO) build -trimpath -buildvcs=false \
		-ldflags "$(REL_LDFLAGS)" -o $(RB)/unsigned/kensectl.exe ./cmd/kensectl
	@echo "go build kense-server (linux/amd64)"
	@CGO_ENABLED=0 GOOS=linux GOARCH=amd64 $(GO) build -trimpath -buildvcs=false \
		-ldflags "$(REL_LDFLAGS)" -o $(RB)/server/kense-server/kense-server ./cmd/kense-server
	@set -e; for f in kense.exe kensectl.exe; do $(call sign,$(RB)/unsigned/$$f,$(RB)/signed/$$f); done
	@set -e; cp $(RB)/signed/kense.exe $(RB)/signed/kensectl.exe $(RB)/kense.ico $(RB)/THIRD_PARTY_NOTICES.txt $(RB)/msi/; \
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) release/build-msi.sh $(RB)/msi $(MSI_VERSION) $(MKWIN)
	@set -e; $(call sign,$(RB)/msi/kense.msi,$(DIST)/$(MSI)); \
	cp $(RB)/signed/kense.exe $(RB)/signed/kensectl.exe $(RB)/THIRD_PARTY_NOTICES.txt $(DIST)/
	@set -e; cp release/kense-server.example.json release/kense-server.service $(RB)/server/kense-server/; \
	chmod 0755 $(RB)/server/kense-server/kense-server; chmod 0644 $(RB)/server/kense-server/kense-server.* $(RB)/server/kense-server/THIRD_PARTY_NOTICES.txt; \
	tar --sort=name --mtime=@$(SOURCE_DATE_EPOCH) --owner=0 --group=0 --numeric-owner \
		-C $(RB)/server -cf - kense-server | gzip -n9 > $(DIST)/$(SERVER_TGZ)
	@set -e; if [ -z "$$SIGN_CERT" ]; then \
		printf '%s\n' "Kense $(VERSION): this release is UNSIGNED (no SIGN_CERT was given)." \
			"Windows SmartScreen will warn on kense.exe, kensectl.exe and the MSI." > $(DIST)/UNSIGNED.txt; fi; \
	cd $(DIST) && sha256sum kense.exe kensectl.exe $(MSI) $(SERVER_TGZ) THIRD_PARTY_NOTICES.txt $$(ls UNSIGNED.txt 2>/dev/null) > SHA256SUMS
	@echo; ls -l $(DIST)/kense.exe $(DIST)/kensectl.exe $(DIST)/$(MSI) $(DIST)/$(SERVER_TGZ) $(DIST)/THIRD_PARTY_NOTICES.txt; cat $(DIST)/SHA256SUMS
	@if [ -z "$$SIGN_CERT" ]; then echo; echo "*** UNSIGNED RELEASE: no SIGN_CERT given; dist/UNSIGNED.txt says so. ***"; \
	else echo "signed with $$SIGN_CERT"; fi

# Reproducibility: kensectl.exe built twice from one snapshot of the sources,
# copied to two different folders (so -trimpath is tested too), the second
# time with an empty Go build cache (nothing reused): both must match byte for
# byte. Then the release's own unsigned copy is compared as well.
release-check: release-deps $(MKWIN)
	@set -e; test -f $(RB)/kensectl.syso || { echo "run make release first"; exit 1; }; \
	tmp=$$(mktemp -d); trap 'chmod -R u+w $$tmp; rm -rf $$tmp' EXIT; \
	mkdir -p $$tmp/a/src $$tmp/b/other/src; \
	tar --exclude=./.git --exclude=./dist --exclude=./build --exclude='*.test' --exclude='*.syso' -cf - . | tar -xf - -C $$tmp/a/src; \
	cp $(RB)/kensectl.syso $$tmp/a/src/cmd/kensectl/$(SYSO); \
	cp -a $$tmp/a/src/. $$tmp/b/other/src/; \
	(cd $$tmp/a/src && CGO_ENABLED=0 $(WINENV) $(GO) build -trimpath -buildvcs=false \
		-ldflags "$(REL_LDFLAGS)" -o $$tmp/a.exe ./cmd/kensectl); \
	echo "rebuilding kensectl.exe with an empty GOCACHE (slow: the whole std and deps)"; \
	(cd $$tmp/b/other/src && GOCACHE=$$tmp/cache CGO_ENABLED=0 $(WINENV) $(GO) build -trimpath -buildvcs=false \
		-ldflags "$(REL_LDFLAGS)" -o $$tmp/b.exe ./cmd/kensectl); \
	a=$$(sha256sum < $$tmp/a.exe); b=$$(sha256sum < $$tmp/b.exe); \
	echo "build 1 (warm cache):  $$a"; echo "build 2 (empty cache): $$b"; \
	if [ "$$a" != "$$b" ]; then echo "NOT REPRODUCIBLE: the two kensectl.exe builds differ"; exit 1; fi; \
	echo "kensectl.exe is reproducible"; \
	if [ -f $(RB)/unsigned/kensectl.exe ]; then r=$$(sha256sum < $(RB)/unsigned/kensectl.exe); \
		if [ "$$r" = "$$a" ]; then echo "and equals the release's unsigned kensectl.exe"; \
		else echo "note: the release's kensectl.exe differs: the sources changed since make release"; fi; fi

release-verify: $(MKWIN)
	@GO=$(GO) RB=$(RB) DIST=$(DIST) MSI=$(MSI) SERVER_TGZ=$(SERVER_TGZ) MSI_VERSION=$(MSI_VERSION) \
		UPGRADE_CODE=$(UPGRADE_CODE) SYSTEM_DLLS="$(SYSTEM_DLLS)" \
		bash release/verify.sh

# What CI runs: a throwaway certificate (never committed), then the release
# signed with it, the reproducibility check and every table/PE/signature check.
release-ci: release-deps
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf $$tmp' EXIT; \
	release/gen-test-cert.sh $$tmp >/dev/null; \
	SIGN_CERT=$$tmp/cert.pem SIGN_KEY=$$tmp/key.pem SIGN_PASS=$$(cat $$tmp/pass) $(MAKE) --no-print-directory release; \
	$(MAKE) --no-print-directory release-check; \
	SIGN_CA=$$tmp/ca.pem $(MAKE) --no-print-directory release-verify

# Optional, slower: install, upgrade twice and uninstall the MSI with Wine's
# msiexec in a throwaway prefix (needs wine64, ~300 MB; ~2 min).
release-msi-test: $(MKWIN)
	$(call install_missing,wine64)
	release/wine-msi-test.sh $(RB) $(DIST)/$(MSI)

release-clean:
	rm -rf $(RB) cmd/kense/$(SYSO) cmd/kensectl/$(SYSO)
