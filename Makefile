# Leadline's one entry point for people and CI. `make run` and `make test` each set up what they
# need first: Debian packages (installed when run as root, otherwise printed), npm packages, and
# tauri-driver for the end-to-end suite.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
NPM ?= npm
# Build and run: what the Tauri window links against.
APT_BUILD := build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev
# Tests: a virtual display, the WebKit WebDriver, and a session bus with a Secret Service keyring.
APT_TEST := xvfb xauth webkit2gtk-driver dbus gnome-keyring libsecret-tools keyutils xdg-utils curl
NODE_MIN := 20.19
TAURI_DRIVER_VERSION := ^2
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
TAURI_DRIVER := $(CARGO_BIN)/tauri-driver
XVFB := xvfb-run -a -s "-screen 0 1280x1024x24"
# A private session bus with an unlocked GNOME Keyring, so tests use the real Secret Service
# (and LEADLINE_REAL_KEYRING=1 tells them it must work). The keyring's files go to a temp dir.
WITH_KEYRING := dbus-run-session -- sh -c 'export XDG_DATA_HOME="$$(mktemp -d)" LEADLINE_REAL_KEYRING=1; \
  printf leadline-test | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null && exec "$$@"' with-keyring
UI_STAMP := ui/node_modules/.package-lock.json
# An unchanged third-party Salesforce client (jsforce) that the sfsim compatibility test runs.
COMPAT := src-tauri/crates/sfsim/compat
COMPAT_STAMP := $(COMPAT)/node_modules/.package-lock.json

.PHONY: help run test check bench bindings ui app deps-build deps-test deps-node unit e2e clean

help:
	@echo "make run    set up, build and open Leadline"
	@echo "make test   set up and run every check and test (end-to-end included, under Xvfb)"
	@echo "make check  formatting, clippy -D warnings, UI type check"
	@echo "make bench  benchmarks (figures are written into README.md)"
	@echo "make bindings  regenerate ui/src/gen from leadline_core::ipc"

# --- setup -------------------------------------------------------------------------------------

define apt_ensure
	missing=$$(for p in $(1); do dpkg-query -W -f='$${Status}\n' "$$p" 2>/dev/null | grep -q '^install ok installed' || echo "$$p"; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "Leadline needs these Debian packages. Run this, then make again:"; \
	    echo "  sudo apt-get install -y --no-install-recommends $$missing"; exit 1; \
	  fi; \
	fi
endef

deps-build:
	@$(call apt_ensure,$(APT_BUILD))

deps-test: deps-build
	@$(call apt_ensure,$(APT_TEST))
	@if [ ! -x "$(TAURI_DRIVER)" ]; then \
	  echo "installing tauri-driver $(TAURI_DRIVER_VERSION)"; \
	  $(CARGO) install tauri-driver --version '$(TAURI_DRIVER_VERSION)' --locked --quiet; \
	fi

deps-node:
	@command -v node >/dev/null || { echo "Leadline's UI builds with Node.js >= $(NODE_MIN) and npm; install them first."; exit 1; }
	@node -e 'const [a,b]=process.versions.node.split(".").map(Number),[x,y]="$(NODE_MIN)".split(".").map(Number);process.exit(a>x||(a===x&&b>=y)?0:1)' \
	  || { echo "Node.js $$(node --version) is too old: Vite 7 needs >= $(NODE_MIN)."; exit 1; }

$(UI_STAMP): ui/package.json ui/package-lock.json | deps-node
	cd ui && $(NPM) ci --no-audit --no-fund --loglevel=error

$(COMPAT_STAMP): $(COMPAT)/package.json $(COMPAT)/package-lock.json | deps-node
	cd $(COMPAT) && $(NPM) ci --no-audit --no-fund --loglevel=error

# --- build -------------------------------------------------------------------------------------

ui: $(UI_STAMP)
	cd ui && $(NPM) run build --silent

app: deps-build ui
	$(CARGO) build -p leadline

# Opens the app beside a local practice org (leadline-sfsim), so a newcomer can sign in with no
# account anywhere: admin@practice.example / practice. The org stops when the window closes.
run: app
	$(CARGO) build -q -p leadline-sfsim
	exec 3< <(exec target/debug/leadline-sfsim --port 0); sim=$$!; \
	  trap 'kill -TERM '"$$sim"' 2>/dev/null' EXIT; \
	  read -r line <&3; url="$${line#listening on }"; \
	  echo "practice org at $$url: sign in as admin@practice.example, password practice"; \
	  LEADLINE_PRACTICE_URL="$$url" target/debug/leadline

bindings:
	LEADLINE_WRITE_BINDINGS=1 $(CARGO) test -p leadline-core --test bindings --quiet

# --- checks and tests --------------------------------------------------------------------------

check: deps-build ui
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --quiet -- -D warnings
	cd ui && $(NPM) run check --silent

unit: deps-test ui $(COMPAT_STAMP)
	$(WITH_KEYRING) $(CARGO) test --workspace --exclude leadline-e2e
	cd ui && $(NPM) test --silent

e2e: deps-test app
	mkdir -p target/e2e-screens
	TAURI_DRIVER=$(TAURI_DRIVER) LEADLINE_APP_BIN=$(CURDIR)/target/debug/leadline \
	  $(WITH_KEYRING) $(XVFB) $(CARGO) test -p leadline-e2e -- --test-threads=1

test: deps-test
	$(MAKE) --no-print-directory check
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory e2e

# Figures go into README.md's Benchmarks table; nothing here asserts a time.
bench: deps-build
	$(CARGO) run --release --quiet -p leadline-sfsim --example bench_collections
	$(CARGO) run --release --quiet -p leadline-core --example bench_queue

clean:
	$(CARGO) clean
	rm -rf ui/dist ui/node_modules $(COMPAT)/node_modules
