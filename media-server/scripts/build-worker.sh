#!/usr/bin/env bash
# Builds the `mediasoup-worker` binary of the npm package mediasoup@3.19.3 from
# the package's own worker/ sources, against Debian bookworm's system libraries.
#
# Why: mediasoup's install step downloads a prebuilt worker from GitHub, or
# pip-installs meson and downloads the worker's subprojects (OpenSSL, libuv,
# libsrtp, ...): none of that can be reached from here. Debian's packages can,
# and worker-patches/mediasoup-3.19.3-debian.patch adapts the worker to them.
#
# Two exceptions to "system libraries", both built in statically from Debian
# *source* packages that `apt-get source` fetches (from the same mirror as the
# system's apt sources, through a private apt state: /etc/apt is not touched):
# - libsrtp2. Debian's binary libsrtp2 is built on NSS, which sets up a new
#   cipher context for every SRTP packet: a worker core served ~4x fewer SRTP
#   consumers than plain-RTP ones (bench/fanout measures it). Built here with
#   OpenSSL crypto (AES-NI, SHA-NI), as stock mediasoup does, and with its
#   HMAC-SHA1 on OpenSSL's SHA-1 directly (worker-patches/libsrtp2-*.patch):
#   OpenSSL 3's EVP_MAC set-up per packet cost as much as the hashing.
# - liburing, from the next Debian release (bookworm's 2.3 is too old): with
#   it the worker sends a producer's packet to all its consumers in one
#   io_uring submission instead of one sendto() each, as stock mediasoup does.
# Note: those copies are frozen into the cached binary; a Debian update
# reaches them only with a new cache entry (edit this script or the patch, or
# delete the cache).
#
# The binary is cached outside the repo, keyed by the mediasoup version and a
# hash of the worker-patches/ files it uses and of this script:
#   ${FAIRGROUND_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/fairground}/mediasoup-worker/3.19.3-<hash>/mediasoup-worker
# A cached run only prints that path; a cold one takes ~9 min on 2 cores and
# needs the npm registry (unless mediasoup is installed) and the Debian mirror.
#
# Output contract: the binary's absolute path is the LAST line of stdout;
# every log line goes to stderr. Use it with MEDIASOUP_WORKER_BIN=<path>.
# FAIRGROUND_BUILD_JOBS sets ninja's -j (default 2, the project's machines).
set -euo pipefail

readonly MEDIASOUP_VERSION=3.19.3

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
SCRIPT_FILE="$SCRIPT_DIR/$(basename "${BASH_SOURCE[0]}")"
PATCH_FILE="$REPO_ROOT/media-server/worker-patches/mediasoup-$MEDIASOUP_VERSION-debian.patch"
LIBURING_MESON="$REPO_ROOT/media-server/worker-patches/liburing.meson.build"
LIBSRTP_PATCH="$REPO_ROOT/media-server/worker-patches/libsrtp2-2.5.0-hmac-sha1.patch"

CACHE_ROOT="${FAIRGROUND_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:?HOME is not set}/.cache}/fairground}/mediasoup-worker"
[[ "$CACHE_ROOT" == /* ]] || CACHE_ROOT="$PWD/$CACHE_ROOT" # the printed path must be absolute
# A change to a patch, to liburing's meson.build or to this script gives a new cache entry.
BUILD_KEY="$(cat "$PATCH_FILE" "$LIBSRTP_PATCH" "$LIBURING_MESON" "$SCRIPT_FILE" | sha256sum | cut -c1-12)"
DEST_DIR="$CACHE_ROOT/$MEDIASOUP_VERSION-$BUILD_KEY"
DEST_BIN="$DEST_DIR/mediasoup-worker"

log() { printf '[build-worker] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Fast path: already built.
if [[ -x "$DEST_BIN" ]]; then
  echo "$DEST_BIN"
  exit 0
fi

mkdir -p "$CACHE_ROOT"

# One build at a time per cache entry: a concurrent run waits here, then finds
# the binary the first one installed.
exec 9>"$CACHE_ROOT/.lock-$MEDIASOUP_VERSION-$BUILD_KEY"
if ! flock -n 9; then
  log "another build of mediasoup-worker is running; waiting for it..."
  flock 9
fi
if [[ -x "$DEST_BIN" ]]; then
  echo "$DEST_BIN"
  exit 0
fi

# --- (a) Debian build dependencies -------------------------------------------
# flatbuffers-compiler (flatc) generates the worker's FBS/*.h. dpkg-dev
# (dpkg-source) unpacks the libsrtp2 source package that `apt-get source`
# fetches; libssl-dev is also libsrtp's crypto. No libsrtp2-dev/libnss3: the
# worker no longer links Debian's (NSS) libsrtp2.
BUILD_DEPS=(
  g++ meson ninja-build pkg-config python3 libssl-dev libuv1-dev
  libusrsctp-dev libabsl-dev libflatbuffers-dev flatbuffers-compiler dpkg-dev
)

install_build_deps() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    log "not a Debian system: skipping the apt-get step, hoping the build deps are there"
    return 0
  fi
  local missing=() pkg
  for pkg in "${BUILD_DEPS[@]}"; do
    if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)" != installed ]]; then
      missing+=("$pkg")
    fi
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0

  log "installing missing Debian packages: ${missing[*]}"
  local sudo=()
  if [[ $EUID -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || die "not root and no sudo: run as root: apt-get install -y --no-install-recommends ${missing[*]}"
    sudo=(sudo -n)
  fi
  # Wait for another apt/dpkg run instead of failing on its lock.
  local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600)
  # The package lists may be missing or stale: update only if a plain install fails.
  if ! "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >&2; then
    log "apt-get install failed; running apt-get update and retrying"
    "${apt[@]}" update >&2
    "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >&2
  fi
}

install_build_deps

# --- (b) mediasoup sources ---------------------------------------------------
BUILD_DIR="$CACHE_ROOT/build-$MEDIASOUP_VERSION-$BUILD_KEY"
rm -rf "$BUILD_DIR" # leftovers of a failed run
mkdir -p "$BUILD_DIR"
SRC_DIR="$BUILD_DIR/mediasoup" # the package root: the patch has worker/... paths

package_version() { # prints the "version" of a package.json, or nothing
  sed -n 's/^[[:space:]]*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$1" 2>/dev/null | head -n1
}

# Copies <package root>/worker into $SRC_DIR and applies the patch to it.
# Returns non-zero (leaving no SRC_DIR) if the patch does not apply cleanly.
prepare_sources() {
  local pkg_root="$1"
  rm -rf "$SRC_DIR"
  mkdir -p "$SRC_DIR"
  # Leave out what an earlier (failed) mediasoup install may have left there.
  tar -C "$pkg_root" --exclude=worker/out --exclude='worker/pip_*' \
    --exclude=worker/subprojects/packagecache -cf - worker | tar -C "$SRC_DIR" -xf -
  # --- (c) Debian patch: meson >= 1.0, system libraries, libsrtp 2, DTLS BIO fix.
  if ! patch -d "$SRC_DIR" -p1 --forward --batch --no-backup-if-mismatch --quiet <"$PATCH_FILE" >&2; then
    rm -rf "$SRC_DIR"
    return 1
  fi
}

sources_ready=0
for candidate in "$REPO_ROOT/node_modules/mediasoup" "$REPO_ROOT/media-server/node_modules/mediasoup"; do
  if [[ -f "$candidate/worker/meson.build" && "$(package_version "$candidate/package.json")" == "$MEDIASOUP_VERSION" ]]; then
    log "using sources from $candidate"
    if prepare_sources "$candidate"; then
      sources_ready=1
      break
    fi
    log "the patch does not apply to $candidate (modified copy?); ignoring it"
  fi
done

if [[ $sources_ready -eq 0 ]]; then
  # Not installed in the repo (or modified): fetch the pristine npm tarball.
  log "fetching mediasoup@$MEDIASOUP_VERSION with npm pack"
  mkdir -p "$BUILD_DIR/pack"
  (cd "$BUILD_DIR/pack" && npm pack --silent --pack-destination . "mediasoup@$MEDIASOUP_VERSION") >&2 ||
    die "npm pack mediasoup@$MEDIASOUP_VERSION failed"
  tar -C "$BUILD_DIR/pack" -xzf "$BUILD_DIR/pack/mediasoup-$MEDIASOUP_VERSION.tgz"
  prepare_sources "$BUILD_DIR/pack/package" || die "$PATCH_FILE does not apply to mediasoup@$MEDIASOUP_VERSION"
  rm -rf "$BUILD_DIR/pack"
fi

# --- (c2) libsrtp2 and liburing sources, from Debian --------------------------
# Two subprojects are built into the worker from Debian *source* packages
# (upstream tarball + Debian's patches, unpacked by dpkg-source), fetched with
# apt-get through a private apt state in $BUILD_DIR: deb-src twins of the
# system's own `deb` entries, so they come from the same mirror and are
# verified by the same keys.
# - libsrtp2 (this release's suite), built static with OpenSSL crypto.
# - liburing from $LIBURING_SUITE: stock mediasoup batches a producer's fan-out
#   sends into one io_uring submission (DepLibUring), which bookworm's
#   liburing 2.3 can't do (the worker needs >= 2.5). One extra deb-src entry
#   for that suite, on the system's Debian mirror, provides it.
readonly LIBURING_SUITE=trixie
APT_DIR="$BUILD_DIR/apt"
APT=(apt-get -q
  -o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$APT_DIR/sources.list.d"
  -o Dir::State::Lists="$APT_DIR/lists" -o Dir::Cache="$APT_DIR/cache"
  # Our dirs are not writable by apt's download user _apt (when run as root).
  -o APT::Sandbox::User=root)

prepare_private_apt() {
  local src mirror
  mkdir -p "$APT_DIR/sources.list.d" "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
  # One-line format (sources.list, *.list): "deb [opts] uri suite comp..." ->
  # "deb-src ...". deb822 (*.sources): "Types: deb ..." -> "Types: deb-src".
  for src in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$src" ]] || continue
    sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$src"
  done >"$APT_DIR/sources.list.d/deb-src.list"
  for src in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$src" ]] || continue
    awk '/^Types:/ { for (i = 2; i <= NF; i++) if ($i == "deb") { print "Types: deb-src"; next } } { print }' \
      "$src" >"$APT_DIR/sources.list.d/$(basename "$src")"
  done
  # The Debian mirror the system uses: the first .../debian URI of either format.
  mirror="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -v '^[[:space:]]*#' | grep -oE '(https?|mirror\+[a-z]+)://[^ ]*/debian/?([[:space:]]|$)' | head -n1 | tr -d '[:space:]' || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
  printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
    "$mirror" "$LIBURING_SUITE" >"$APT_DIR/sources.list.d/liburing-suite.list"

  log "updating a private apt index of Debian source packages"
  # A third-party repo without sources makes `update` fail for that repo only:
  # go on, `apt-get source` says whether Debian's index came through.
  "${APT[@]}" update >&2 || log "apt-get update reported errors (repos without deb-src?); trying anyway"
}

# fetch_source <package>[/<suite>]: unpacks it into $BUILD_DIR/src-<package>/ and
# prints the tree's path (<package>-<upstream version>).
fetch_source() {
  local spec="$1" package="${1%%/*}" dir="$BUILD_DIR/src-${1%%/*}" tree
  mkdir -p "$dir"
  log "fetching Debian's $spec source package (apt-get source)"
  (cd "$dir" && "${APT[@]}" source "$spec" >&2) ||
    die "apt-get source $spec failed (is the Debian mirror of /etc/apt/sources.list* reachable?)"
  tree="$(find "$dir" -mindepth 1 -maxdepth 1 -type d -name "$package-*" | head -n1)"
  [[ -n "$tree" ]] || die "apt-get source $spec unpacked no $package-* tree"
  log "using $(basename "$tree") (Debian source package $(ls "$dir"/*.dsc | xargs -n1 basename))"
  echo "$tree"
}

prepare_private_apt

# The worker patch's MS_LIBSRTP2 code is for the libsrtp 2 API and meson.build
# asks for the subproject libsrtp2 with crypto-library=openssl: check both hold.
# Pinned to this release's suite: the liburing suite has a newer libsrtp2.
codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
tree="$(fetch_source "libsrtp2${codename:+/$codename}")"
[[ -f "$tree/meson.build" ]] || die "Debian's libsrtp2 source has no meson.build"
grep -q "project('libsrtp2'.*version: '2\." "$tree/meson.build" ||
  die "Debian's libsrtp2 source is not libsrtp 2.x: the worker patch (MS_LIBSRTP2) needs libsrtp 2"
grep -q "'openssl'" "$tree/meson_options.txt" ||
  die "Debian's libsrtp2 source has no crypto-library=openssl meson option"
# HMAC-SHA1 on OpenSSL's SHA-1 with precomputed keyed states, not per-packet
# EVP_MAC set-up (see the patch's comment). libsrtp runs its HMAC known-answer
# self-test at srtp_init(), so a wrong result stops the worker at start.
patch -d "$tree" -p1 --forward --batch --no-backup-if-mismatch --quiet <"$LIBSRTP_PATCH" >&2 ||
  die "$LIBSRTP_PATCH does not apply to $(basename "$tree")"
mv "$tree" "$SRC_DIR/worker/subprojects/libsrtp2"

# liburing has no meson build of its own (stock mediasoup takes WrapDB's, a
# download): its ./configure writes the config headers, and our small
# meson.build compiles the library the way its src/Makefile does.
tree="$(fetch_source "liburing/$LIBURING_SUITE")"
(cd "$tree" && ./configure --use-libc >&2) || die "liburing's ./configure failed"
cp "$LIBURING_MESON" "$tree/meson.build"
rm -f "$SRC_DIR/worker/subprojects/liburing.wrap" # the wrap names a download
mv "$tree" "$SRC_DIR/worker/subprojects/liburing"
rm -rf "$APT_DIR" "$BUILD_DIR"/src-*

# --- (d) configure and build -------------------------------------------------
# Only the mediasoup-worker target is built: tests/fuzzer would need Catch2 3
# and clang's libFuzzer. --wrap-mode=nodownload: meson must never fetch a wrap;
# every subproject (libsrtp2, liburing) is already in subprojects/.
log "configuring (meson $(meson --version))"
meson setup "$BUILD_DIR/out" "$SRC_DIR/worker" --wrap-mode=nodownload \
  --buildtype=release -Db_ndebug=true >&2

log "compiling mediasoup-worker (~9 minutes with 2 cores)"
start=$SECONDS
ninja -C "$BUILD_DIR/out" -j"${FAIRGROUND_BUILD_JOBS:-2}" mediasoup-worker >&2
log "compiled in $((SECONDS - start)) s"

BUILT_BIN="$BUILD_DIR/out/mediasoup-worker"
[[ -x "$BUILT_BIN" ]] || die "ninja finished but $BUILT_BIN is missing"

# --- (e) smoke check ---------------------------------------------------------
# Run without MEDIASOUP_VERSION in its environment, the worker exits with its
# own code 41 ("you don't seem to be my real father!", see worker/src/main.cpp);
# anything else (e.g. 127: a shared library is missing) means a broken binary.
rc=0
env -i "$BUILT_BIN" >/dev/null 2>&1 || rc=$?
[[ $rc -eq 41 ]] || die "smoke check failed: $BUILT_BIN exited with $rc instead of 41"
# libsrtp must be the static OpenSSL build, not Debian's shared NSS one.
if ldd "$BUILT_BIN" | grep -E 'libsrtp2|libnss3' >&2; then
  die "$BUILT_BIN links a shared libsrtp2/NSS (above); expected the static OpenSSL libsrtp2"
fi

# --- (f) install atomically --------------------------------------------------
# A reader sees either no $DEST_DIR or a complete one.
STAGE_DIR="$(mktemp -d "$CACHE_ROOT/.stage-XXXXXX")"
cp "$BUILT_BIN" "$STAGE_DIR/mediasoup-worker"
chmod 755 "$STAGE_DIR" "$STAGE_DIR/mediasoup-worker"
rm -rf "$DEST_DIR" # a partial entry (no executable in it) from an older run
mv -T "$STAGE_DIR" "$DEST_DIR"
rm -rf "$BUILD_DIR"

log "installed $DEST_BIN"
echo "$DEST_BIN"
