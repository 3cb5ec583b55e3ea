# idpulse — developer and CI entry points (GNU make).
#
#   make build        bin/idpulse for this machine
#   make run          build, then ./bin/idpulse $(RUN_ARGS)
#   make test         lint, cross builds, darwin type-check, then go test -race (what CI runs)
#   make lint         gofmt, go vet, staticcheck, deadcode: fails on any finding
#   make tools        the lint tools at their pinned versions, into bin/tools (CI runs it)
#   make screenshot   bin/screenshot*.png: the Linux tray in Xvfb + xfce4-panel
#   make fuzz         every fuzz target for FUZZTIME (15s) each; FUZZTIME=1m for longer
#   make fuzz-ci      the same for FUZZ_CI_TIME (2s) each: CI's fuzz stage after make test
#   make bench | cross | darwincheck | clean
#   make universal | app | pkg | dmg   macOS release artifacts in dist/ (on a Mac)
#   make install-linux                 install on this Linux desktop (per user)

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO        ?= go
MODULE    := github.com/idpulse/idpulse
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# The commit for `idpulse version --json`, also where Go's VCS stamping is off.
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null)
LDFLAGS    = -s -w -X $(MODULE)/cmd/idpulse/internal/version.Version=$(VERSION) -X $(MODULE)/cmd/idpulse/internal/version.Commit=$(COMMIT)
# The menu bar agent (headless where there is no menu bar); RUN_ARGS=check for one diagnosis.
RUN_ARGS  ?= run
TESTFLAGS ?=
# Package patterns every target works on (narrow it while others' code is broken).
PKGS      ?= ./...
FUZZTIME  ?= 15s
# The only package importing fyne.io/systray: it cannot compile for darwin
# without cgo, so the CGO_ENABLED=0 darwin vet skips it (darwincheck covers it).
TRAY_PKG  ?= $(MODULE)/agent/tray
# The lint tools, pinned. `make tools` installs them into TOOLS_BIN; lint
# looks there first, then on PATH, then in GOPATH/bin.
STATICCHECK_VERSION ?= v0.8.2
DEADCODE_VERSION    ?= v0.52.0
TOOLS_BIN           ?= $(CURDIR)/bin/tools

.PHONY: build run test bench fuzz fuzz-ci lint tools cross darwincheck screenshot clean lint-shell universal app pkg dmg install-linux

# The Linux binary needs no C (its tray and notifications speak D-Bus in
# Go): built without cgo it is static, and glibc's 1.4 MiB of pages stay out
# of the agent's RSS (cmd/idpulse/e2e BenchmarkAgentRSS builds it the same
# way). macOS keeps cgo: its menu bar is Cocoa.
BUILD_ENV := $(if $(filter linux,$(shell $(GO) env GOOS)),CGO_ENABLED=0)

build:
	$(BUILD_ENV) $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/idpulse ./cmd/idpulse

run: build
	./bin/idpulse $(RUN_ARGS)

# Cheap whole-tree checks first (lint includes go vet), so a compile error
# for another OS fails in seconds; go test runs last so the output ends with
# its ok/FAIL lines.
test:
	@$(MAKE) --no-print-directory lint cross darwincheck lint-shell
	@echo "==> test: go test -race"
	$(GO) test -race -count=1 -timeout 15m $(TESTFLAGS) $(PKGS)

bench:
	$(GO) test -run='^$$' -bench=. -benchmem -count=1 $(PKGS)

# Every fuzz target in $(PKGS), FUZZTIME each (go test fuzzes one target
# per run). The targets are found without compiling: go list names the test
# files this platform builds, and their "func FuzzX(" lines name the
# targets. FUZZ_JOBS targets run at once, each with GOMAXPROCS/FUZZ_JOBS
# fuzzing workers, so that one run's go command and start-up overlap
# another's fuzzing; each run's output is printed whole when it ends. The
# first target runs alone: on a cold build cache its build instruments the
# standard library and the dependencies, which parallel runs would each
# compile again.
# Every target runs even after one fails; a failure leaves its input in the
# package's testdata/fuzz/FuzzX/ (commit it as a regression seed). A bare
# "context deadline exceeded" with no failing input is Go's own coordinator
# racing -fuzztime's end (go.dev/issue/75804, fixed in Go 1.27; seen here
# under load): that target runs once more, and a second failure counts.
FUZZ_JOBS ?= 1
fuzz:
	@start=$$(date +%s); \
	targets=$$($(GO) list -f '{{$$p := .ImportPath}}{{$$d := .Dir}}{{range .TestGoFiles}}{{$$p}} {{$$d}}/{{.}}{{"\n"}}{{end}}{{range .XTestGoFiles}}{{$$p}} {{$$d}}/{{.}}{{"\n"}}{{end}}' $(PKGS) | \
		while read -r pkg file; do sed -n "s|^func \(Fuzz[A-Za-z0-9_]*\)(.*|$$pkg \1|p" "$$file"; done); \
	if [ -z "$$targets" ]; then echo "fuzz: no fuzz targets found"; exit 0; fi; \
	workers=$${GOMAXPROCS:-$$(getconf _NPROCESSORS_ONLN)}; \
	workers=$$(( workers / $(FUZZ_JOBS) > 0 ? workers / $(FUZZ_JOBS) : 1 )); \
	run='for try in 1 2; do \
			out=$$($(GO) test -run="^$$" -fuzz="^$$1$$" -fuzztime=$(FUZZTIME) -parallel='"$$workers"' "$$0" </dev/null 2>&1); st=$$?; \
			printf "==> fuzz: %s %s for %s\n%s\n" "$$0" "$$1" "$(FUZZTIME)" "$$out" | grep -v "^fuzz: elapsed: "; \
			[ $$st -ne 0 ] && [ $$try = 1 ] && ! grep -q "Failing input written" <<< "$$out" && grep -qx "    context deadline exceeded" <<< "$$out" || break; \
			echo "fuzz: no failing input, only go.dev/issue/75804 (the fuzztime deadline race of Go < 1.27): once more"; \
		done; \
		if [ $$st -ne 0 ]; then echo "fuzz: FAILED $$0 $$1"; exit 1; fi'; \
	status=0; \
	printf '%s\n' "$$targets" | head -n 1 | xargs -L 1 bash -c "$$run" || status=$$?; \
	rest=$$(printf '%s\n' "$$targets" | tail -n +2); \
	if [ -n "$$rest" ]; then printf '%s\n' "$$rest" | xargs -P $(FUZZ_JOBS) -L 1 bash -c "$$run" || status=$$?; fi; \
	echo "==> fuzz: $$(printf '%s\n' "$$targets" | wc -l) targets, $(FUZZTIME) each, $(FUZZ_JOBS) at a time, in $$(($$(date +%s) - start))s"; \
	if (( status != 0 )); then echo "fuzz: some targets FAILED (above)"; exit 1; fi

# CI's brief fuzz stage (.ci/run, after make test): every target for
# FUZZ_CI_TIME, two at a time; about a minute and a half on 2 cores.
FUZZ_CI_TIME ?= 2s
fuzz-ci:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZ_CI_TIME) FUZZ_JOBS=2

# find-tool,NAME is the path of a lint tool, "" when it is not installed.
find-tool = $(firstword $(wildcard $(TOOLS_BIN)/$(1)) $(shell command -v $(1)) $(wildcard $(shell $(GO) env GOPATH)/bin/$(1)))
# no-tool,NAME fails under CI, which must run every check; elsewhere it skips.
no-tool = if [ -n "$${CI:-}" ]; then echo "lint: $(1) is not installed (CI needs it: make tools)"; exit 1; \
	else echo "lint: $(1) not installed, skipping (make tools)"; fi

lint:
	@echo "==> lint: gofmt -l"
	@files=$$(find . -type f -name '*.go' -not -path './.git/*' -not -path '*/testdata/*' -not -path './bin/*' -not -path './dist/*'); \
	bad=$$(gofmt -l $$files); \
	if [ -n "$$bad" ]; then echo "gofmt: these files need formatting (run gofmt -w):"; echo "$$bad"; exit 1; fi
	@echo "==> lint: go vet"
	$(GO) vet $(PKGS)
	@echo "==> lint: staticcheck"
	@sc='$(call find-tool,staticcheck)'; \
	if [ -z "$$sc" ]; then $(call no-tool,staticcheck); \
	else echo "$$sc $(PKGS)"; "$$sc" $(PKGS); fi
	@echo "==> lint: deadcode -test"
	@dc='$(call find-tool,deadcode)'; \
	if [ -z "$$dc" ]; then $(call no-tool,deadcode); \
	else echo "$$dc -test $(PKGS)"; out=$$("$$dc" -test $(PKGS)); \
		if [ -n "$$out" ]; then echo "$$out"; echo "deadcode: unreachable functions: delete them"; exit 1; fi; fi

# From the module proxy, at the pinned versions.
tools:
	GOBIN=$(TOOLS_BIN) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	GOBIN=$(TOOLS_BIN) $(GO) install golang.org/x/tools/cmd/deadcode@$(DEADCODE_VERSION)

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
SHELL_SCRIPTS = $(shell find packaging -type f \( -name '*.sh' -o -name postinstall \) | sort) .ci/run
lint-shell:
	@echo "==> lint-shell: shellcheck packaging scripts and .ci/run"
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
