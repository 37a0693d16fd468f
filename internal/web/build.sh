#!/bin/sh
# build.sh copies the pinned map library from npm into dist/vendor, the
# only generated part of dist (the app itself, dist/*.html|js|css, is
# written by hand). It installs from package-lock.json (npm ci) in a
# temporary folder, so no node_modules lands in the Go tree. Run it with
# `go generate ./internal/web` after changing package.json
# (`npm install --package-lock-only` updates the lock first).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$here/package.json" "$here/package-lock.json" "$tmp/"
(cd "$tmp" && npm ci --ignore-scripts --no-audit --no-fund >/dev/null)
out="$here/dist/vendor/maplibre-gl"
rm -rf "$out"
mkdir -p "$out"
src="$tmp/node_modules/maplibre-gl"
cp "$src/dist/maplibre-gl.css" "$src/LICENSE.txt" "$out/"
# The source maps are not shipped, so their comments go.
for f in maplibre-gl.mjs maplibre-gl-worker.mjs; do
	sed "/^\/\/# sourceMappingURL=/d" "$src/dist/$f" > "$out/$f"
done
node -e 'console.log(require(process.argv[1]).version)' "$src/package.json" > "$out/VERSION"
echo "build.sh: maplibre-gl $(cat "$out/VERSION") copied to $out"
