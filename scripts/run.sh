#!/usr/bin/env bash
# `make run`: starts kefu serve on the embedded SQLite store with the demo organisation.
# $1 = kefu binary, $2 = listen address.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/kefu}
listen=${2:-127.0.0.1:8080}
mkdir -p var
echo "kefu: starting on http://$listen/ — widget /widget/, workbench /workbench/, console /console/"
exec "$bin" serve --listen "$listen" --db var/kefu.db --static web/dist --demo
