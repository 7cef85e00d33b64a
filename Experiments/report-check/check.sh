#!/usr/bin/env bash
# Browser check of `precsearch report` and `precsearch plot` (docs/report.md): renders both for a Pareto JSON and
# screenshots them with headless Chromium, so that a person can look at what a reader's browser shows.
#
#   Experiments/report-check/check.sh [FRONT.json]
#
# FRONT.json defaults to Results/optimize/fashion-budget40.json. Environment:
#   PRECSEARCH  the precsearch binary to use (default: build it with `swift build -c release --product precsearch`)
#   OUT         the output directory (default: /tmp/precsearch-report-check)
#   CHROMIUM    the browser (default: chromium; installed with apt-get when missing and apt-get is usable)
# Prints the paths of the HTML, the SVG and their PNG screenshots. Nothing is written inside the repository.
set -euo pipefail

cd "$(dirname "$0")/../.."
front=${1:-Results/optimize/fashion-budget40.json}
out=${OUT:-/tmp/precsearch-report-check}
browser=${CHROMIUM:-chromium}

if [ -z "${PRECSEARCH:-}" ]; then
  swift build -c release --product precsearch >&2
  PRECSEARCH="$(swift build -c release --show-bin-path)/precsearch"
fi

if ! command -v "$browser" >/dev/null 2>&1; then
  echo "Installing Debian's chromium (apt-get install -y chromium)..." >&2
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >&2
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
"$PRECSEARCH" report "$front" --output "$out/report.html" >&2
"$PRECSEARCH" plot "$front" --output "$out/plot.svg" >&2

# The SVG's own size decides the plot's window; the page gets a desktop width and a window tall enough for the
# whole page (the empty space below the page's end is harmless).
size=$(sed -n 's/.*<svg [^>]*width="\([0-9]*\)" height="\([0-9]*\)".*/\1,\2/p' "$out/plot.svg" | head -n 1)
shoot() {  # shoot URL PNG WIDTH,HEIGHT [extra flags]
  local url=$1 png=$2 window=$3
  shift 3
  rm -f "$png"
  "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions \
    --screenshot="$png" --window-size="$window" "$@" "$url" >/dev/null 2>&1 || true
  if [ ! -s "$png" ]; then
    echo "error: $browser wrote no screenshot $png" >&2
    exit 1
  fi
}
shoot "file://$out/plot.svg" "$out/plot.png" "${size:-880,560}"
shoot "file://$out/plot.svg" "$out/plot@2x.png" "${size:-880,560}" --force-device-scale-factor=2
# About 50 pixels per point (heat map and table rows) on top of the rest; REPORT_HEIGHT overrides.
points=$(grep -c '"id": "p' "$front" || true)
height=${REPORT_HEIGHT:-$((4800 + 56 * points))}
[ "$height" -le 16000 ] || height=16000
shoot "file://$out/report.html" "$out/report.png" "1280,$height"
# The report's first screen at a phone width: the tables scroll sideways, the plot shrinks with the page.
shoot "file://$out/report.html" "$out/report-narrow.png" "420,1800"

echo "$out/report.html"
echo "$out/plot.svg"
echo "$out/plot.png"
echo "$out/plot@2x.png"
echo "$out/report.png"
echo "$out/report-narrow.png"
