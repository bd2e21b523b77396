#!/usr/bin/env bash
# Builds the page's Plotly.js into static/vendor/plotly/ (committed: installing
# Slopescope needs no npm).  Only a developer who changes the traces the page draws, or
# the plotly.js version, runs it:
#
#   bash scripts/build_plotly.sh
#
# What it builds (plotly.js's documented way to a partial bundle: plotly.js/lib/core plus
# Plotly.register of the traces wanted, bundled with esbuild):
#   plotly.js          the page's Plotly: core (scatter) + contour + heatmap; sets window.Plotly
#   plotly-3d.js       surface + scatter3d (WebGL), imported when the 3-D view first opens
#   plotly-<hash>.js   the code both share (one copy, one registry), imported by both
#   LICENSE.txt        plotly.js's MIT licence (the bundled libraries' notices are at the
#                      end of each file)
# The entry points are scripts/plotly/plotly.js and plotly-3d.js; the versions are pinned
# exactly in scripts/plotly/package.json and package-lock.json (npm ci), so the same
# sources give the same files.  Node.js and npm come from Debian (apt-get install npm).
set -euo pipefail
cd "$(dirname "$0")/.."

source_dir=scripts/plotly
out=static/vendor/plotly
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cp "$source_dir"/package.json "$source_dir"/plotly.js "$source_dir"/plotly-3d.js "$work"/
if [ -f "$source_dir"/package-lock.json ]; then
    cp "$source_dir"/package-lock.json "$work"/
    (cd "$work" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
else  # a new pin: resolve it once and keep the lock beside package.json
    (cd "$work" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error)
    cp "$work"/package-lock.json "$source_dir"/package-lock.json
fi

version=$(node -p "require('$work/node_modules/plotly.js/package.json').version")
rm -rf "$out"
mkdir -p "$out"
out_abs=$(cd "$out" && pwd)
# As plotly.js's own build (its esbuild-config.js) does: regl is its fork, `global` is
# window, no AMD; CSS files (maplibre's, for map traces we do not register) are left out.
# Run from the work folder with relative paths: the chunk's hashed name depends on them.
(cd "$work" && node_modules/.bin/esbuild plotly.js plotly-3d.js \
    --bundle --splitting --format=esm --minify --target=es2020 \
    --outdir="$out_abs" --entry-names='[name]' --chunk-names='plotly-[hash]' \
    --alias:regl=@plotly/regl --alias:stream=stream-browserify \
    --define:global=window --define:define.amd=false --loader:.css=empty \
    --banner:js="/*! plotly.js v$version, partial bundle (scripts/build_plotly.sh); MIT licence: LICENSE.txt */" \
    --log-level=warning)
cp "$work"/node_modules/plotly.js/LICENSE "$out"/LICENSE.txt
# What the first plot runs starts with V8's compile hint (Chrome 136+; a comment to other
# browsers): every function is compiled as the file loads, on a background thread, not
# each on the main thread when first called.  Most of the core runs in the first plot;
# not so the 3-D file, whose WebGL library holds much that the page never calls.
for file in "$out"/*.js; do
    [ "$(basename "$file")" = plotly-3d.js ] && continue
    { echo "//# allFunctionsCalledOnLoad"; cat "$file"; } > "$file.tmp"
    mv "$file.tmp" "$file"
done

echo "plotly.js v$version -> $out/"
ls -l "$out"
