#!/usr/bin/env bash
# Installs what kefu needs to build, run and test: Debian packages and npm modules.
# Idempotent: a no-op (no apt, no npm) when everything is already present.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PKGS=(
  build-essential pkg-config cmake
  libuv1-dev libhttp-parser-dev libwslay-dev libssl-dev
  libjansson-dev libvectorscan-dev libpcre2-dev
  libsqlite3-dev sqlite3 libsodium-dev libcmocka-dev
  clang-format
  nodejs npm chromium
)

missing=()
for p in "${APT_PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    # node/npm may come from elsewhere (nvm, image); accept the commands.
    case "$p" in
      nodejs) command -v node >/dev/null 2>&1 && continue ;;
      npm) command -v npm >/dev/null 2>&1 && continue ;;
    esac
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm modules for the web build and the browser/integration tests.
if [ -f package-lock.json ]; then
  stamp=node_modules/.kefu-lock-stamp
  if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    echo "deps: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json "$stamp"
  fi
fi
