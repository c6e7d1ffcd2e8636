#!/usr/bin/env bash
# Refresh the front-end files the web pages ship (web/static/vendor/): packed from the npm
# registry into a scratch folder, the built files copied in. Nothing is fetched at run time.
# Usage: web/scripts/refresh_vendor.sh   (needs npm; pin new versions below, then run the browser tests)
set -euo pipefail
HTMX=htmx.org@2.0.11
HTMX_SSE=htmx-ext-sse@2.2.4
ECHARTS=echarts@5.6.0
AXE=axe-core@4.14.1   # for the browser tests only (tests/web/vendor/), never served

here="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
for spec in "$HTMX" "$HTMX_SSE" "$ECHARTS" "$AXE"; do
  npm pack --silent "$spec" >/dev/null
done
for tarball in *.tgz; do
  mkdir -p "${tarball%.tgz}" && tar xzf "$tarball" -C "${tarball%.tgz}"
done
vendor="$here/static/vendor"
cp htmx.org-*/package/dist/htmx.min.js "$vendor/htmx.min.js"
cp htmx-ext-sse-*/package/dist/sse.min.js "$vendor/htmx-sse.min.js"
cp echarts-*/package/dist/echarts.min.js "$vendor/echarts.min.js"
cp echarts-*/package/LICENSE "$vendor/LICENSE-echarts.txt"
cp htmx.org-*/package/LICENSE "$vendor/LICENSE-htmx.txt"
cp axe-core-*/package/axe.min.js "$here/../tests/web/vendor/axe.min.js"
( cd "$vendor" && sha256sum htmx.min.js htmx-sse.min.js echarts.min.js > SHA256SUMS )
echo "vendor files refreshed:"; cat "$vendor/SHA256SUMS"
