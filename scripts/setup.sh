#!/usr/bin/env bash
# Installs what syscope needs on a fresh Debian/Ubuntu machine and builds the native parts.
#   scripts/setup.sh          what the app needs (npm start)
#   scripts/setup.sh --test   also what the test suites need (npm test)
# Missing Debian packages are installed when running as root; otherwise the exact
# `sudo apt-get install ...` line is printed and the script stops.
set -eu

say() { printf 'syscope setup: %s\n' "$*"; }
err() { printf 'syscope setup: error: %s\n' "$*" >&2; exit 1; }

# Build and run-time packages for the helper (clang/bpftool/libbpf build the BPF side; static
# libbpf/libelf/zlib link into the helper; libcap2-bin gives setcap/getcap).
APP_PKGS="clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config libcap2-bin make g++ python3"
# What the tests drive for real: /usr/bin/time, strace, bpftrace, pidstat as comparison baselines,
# Chromium for the renderer, dbus/polkitd/pkexec for the guided-setup journey, shellcheck for the
# scripts, libclang-rt-dev for clang's libFuzzer runtime (the helper's protocol fuzzer),
# clang-format for the house C style (scripts/lint-c.sh), less and vim-tiny as the real terminal
# programs the pty tests drive.
TEST_PKGS="time strace bpftrace sysstat chromium dbus polkitd pkexec shellcheck util-linux procps libclang-rt-dev clang-format less vim-tiny"

missing_packages() {
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || printf '%s ' "$pkg"
  done
}

ensure_packages() {
  command -v dpkg-query >/dev/null 2>&1 || { say "not a Debian/Ubuntu system: install the equivalents of: $*"; return 0; }
  # word splitting of the package list is intended
  # shellcheck disable=SC2086
  missing=$(missing_packages "$@")
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    say "installing Debian packages: $missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    printf 'syscope setup: missing Debian packages. Run:\n\n  sudo apt-get install -y %s\n\nthen run this command again.\n' "$missing" >&2
    exit 1
  fi
}

ensure_npm_packages() {
  # Electron's binary is fetched by electron itself (below) only when the app is started; the
  # tests never need it.
  if [ ! -d node_modules ] || [ package.json -nt node_modules/.package-lock.json ] || { [ -f package-lock.json ] && [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
    say "installing npm packages"
    # `npm install` honours the lockfile; `npm ci` rejects it here because npm leaves other
    # platforms' optional packages (rollup, esbuild) out of the lock
    ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error
  fi
}

ensure_electron_binary() {
  if ! node -e "require('fs').accessSync(require('electron'))" 2>/dev/null; then
    say "downloading the Electron binary (first start only)"
    node node_modules/electron/install.js || err "could not download Electron; check your network, then run: node node_modules/electron/install.js"
  fi
}

build_native() {
  say "building the helper (bpf/, helper/)"
  make -s -C helper
  say "building the /proc sampler addon (native/)"
  make -s -C native || say "warning: the N-API sampler addon did not build; the pure TypeScript /proc reader is used"

}

main() {
  cd "$(dirname "$0")/.."
  mode="app"
  if [ "${1:-}" = "--test" ]; then mode="test"; fi
  if [ "$mode" = test ]; then
    # shellcheck disable=SC2086
    ensure_packages $APP_PKGS $TEST_PKGS
  else
    # shellcheck disable=SC2086
    ensure_packages $APP_PKGS
  fi
  ensure_npm_packages
  build_native
  say "building the syscope command and the UI"
  node scripts/build-cli.mjs
  npx --no-install electron-vite build --logLevel warn >/dev/null
  if [ "$mode" = "app" ]; then ensure_electron_binary; fi
  say "ready"
}

main "$@"
