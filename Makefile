# idpulse — developer and CI entry points (GNU make).
#
#   make build        bin/idpulse for this machine
#   make run          build, then ./bin/idpulse $(RUN_ARGS)
#   make test         vet, cross builds, darwin type-check, then go test -race (what CI runs)
#   make screenshot   bin/screenshot*.png: the Linux tray in Xvfb + xfce4-panel
#   make bench | fuzz | lint | cross | darwincheck | clean
#   make universal | app | pkg | dmg   macOS release artifacts in dist/ (on a Mac)
#   make install-linux                 install on this Linux desktop (per user)

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO        ?= go
MODULE    := github.com/idpulse/idpulse
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS    = -s -w -X $(MODULE)/cmd/idpulse/internal/version.Version=$(VERSION)
# The menu bar agent (headless where there is no menu bar); RUN_ARGS=check for one diagnosis.
RUN_ARGS  ?= run
TESTFLAGS ?=
# Package patterns every target works on (narrow it while others' code is broken).
PKGS      ?= ./...
FUZZTIME  ?= 15s
# The only package importing fyne.io/systray: it cannot compile for darwin
# without cgo, so the CGO_ENABLED=0 darwin vet skips it (darwincheck covers it).
TRAY_PKG  ?= $(MODULE)/agent/tray

.PHONY: build run test bench fuzz lint cross darwincheck screenshot clean lint-shell universal app pkg dmg install-linux

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/idpulse ./cmd/idpulse

run: build
	./bin/idpulse $(RUN_ARGS)

# Cheap whole-tree checks first, so a compile error for another OS fails in
# seconds; go test runs last so the output ends with its ok/FAIL lines.
test:
	@echo "==> test: go vet (host)"
	$(GO) vet $(PKGS)
	@$(MAKE) --no-print-directory cross darwincheck lint-shell
	@echo "==> test: go test -race"
	$(GO) test -race -count=1 -timeout 15m $(TESTFLAGS) $(PKGS)

bench:
	$(GO) test -run='^$$' -bench=. -benchmem -count=1 $(PKGS)

fuzz:
	@echo "==> fuzz: listing fuzz targets (go test -list '^Fuzz' $(PKGS))"
	@targets=$$($(GO) test -list '^Fuzz' $(PKGS) | awk '/^Fuzz/ { t[n++] = $$1; next } /^ok / { for (i = 0; i < n; i++) print $$2, t[i]; n = 0 }'); \
	if [ -z "$$targets" ]; then echo "fuzz: no fuzz targets found"; exit 0; fi; \
	while read -r pkg t; do \
		echo "==> fuzz: $$pkg $$t for $(FUZZTIME)"; \
		$(GO) test -run='^$$' -fuzz="^$$t$$" -fuzztime=$(FUZZTIME) $$pkg </dev/null; \
	done <<< "$$targets"

lint:
	@echo "==> lint: gofmt -l"
	@files=$$(find . -type f -name '*.go' -not -path './.git/*' -not -path '*/testdata/*' -not -path './bin/*' -not -path './dist/*'); \
	bad=$$(gofmt -l $$files); \
	if [ -n "$$bad" ]; then echo "gofmt: these files need formatting (run gofmt -w):"; echo "$$bad"; exit 1; fi
	@echo "==> lint: go vet"
	$(GO) vet $(PKGS)
	@echo "==> lint: staticcheck"
	@sc=$$(command -v staticcheck || true); \
	if [ -z "$$sc" ] && [ -x "$$($(GO) env GOPATH)/bin/staticcheck" ]; then sc="$$($(GO) env GOPATH)/bin/staticcheck"; fi; \
	if [ -n "$$sc" ]; then echo "$$sc $(PKGS)"; "$$sc" $(PKGS); \
	else echo "lint: staticcheck not installed, skipping (go install honnef.co/go/tools/cmd/staticcheck@latest)"; fi

cross:
	@echo "==> cross: build everything for linux/amd64"
	GOOS=linux GOARCH=amd64 $(GO) build $(PKGS)
	@echo "==> cross: build everything for linux/arm64"
	GOOS=linux GOARCH=arm64 $(GO) build $(PKGS)
	@echo "==> cross: build everything for windows/amd64"
	GOOS=windows GOARCH=amd64 $(GO) build $(PKGS)
	@echo "==> cross: go vet for darwin/arm64 without cgo, except $(TRAY_PKG)"
	GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 $(GO) vet $$(GOOS=darwin GOARCH=arm64 CGO_ENABLED=0 $(GO) list $(PKGS) | grep -vxF '$(TRAY_PKG)')

# Type-checks the real darwin+cgo file set (incl. fyne.io/systray's Cocoa
# file) with go/types; see .ci/README.md. -selftest proves it still catches
# a seeded error before we trust a clean run.
darwincheck:
	@echo "==> darwincheck: go/types check for darwin/arm64 with cgo files (no C compiler needed)"
	$(GO) run ./.ci/darwincheck -selftest
	$(GO) run ./.ci/darwincheck $(PKGS)

# The agent's real tray, drawn by xfce4-panel on Xvfb, in a fake Internet
# (a network namespace: needs root). The script lists the Debian packages it
# needs and installs nothing itself.
screenshot: build
	IDPULSE_BIN=bin/idpulse GO=$(GO) packaging/linux/screenshot.sh

clean:
	rm -rf bin .ci/darwincheck/selftest_tmp_*

# shellcheck over the packaging scripts (every *.sh and the .pkg postinstall).
# CI installs shellcheck; without it (and outside CI) this is skipped.
SHELL_SCRIPTS = $(shell find packaging -type f \( -name '*.sh' -o -name postinstall \) | sort)
lint-shell:
	@echo "==> lint-shell: shellcheck packaging scripts"
	@if command -v shellcheck >/dev/null; then shellcheck -x $(SHELL_SCRIPTS); \
	elif [ -n "$${CI:-}" ]; then echo "lint-shell: shellcheck is not installed (CI needs it)"; exit 1; \
	else echo "lint-shell: shellcheck not installed, skipping (apt-get install shellcheck / brew install shellcheck)"; fi

# macOS release artifacts (packaging/macos; they need a Mac and stop with
# "needs macOS" elsewhere). VERSION and BUILD_NUMBER override git describe
# and the commit count; signing: see packaging/macos/sign-notarize.sh.
universal:
	VERSION=$(VERSION) packaging/macos/build-universal.sh dist/idpulse

app:
	VERSION=$(VERSION) packaging/macos/build-app.sh

pkg:
	VERSION=$(VERSION) packaging/macos/build-pkg.sh

dmg:
	VERSION=$(VERSION) packaging/macos/build-dmg.sh

# Linux: ~/.local/bin/idpulse, the menu entry and icon, then `idpulse install`
# (systemd user unit, or XDG autostart without a user manager). Packagers:
# make install-linux SYSTEM=1 PREFIX=/usr DESTDIR=pkgroot
install-linux: build
	packaging/linux/install.sh $(if $(SYSTEM),--system) bin/idpulse
