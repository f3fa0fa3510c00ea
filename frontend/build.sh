#!/usr/bin/env bash
# Rebuild the committed front-end assets from the pinned npm packages.
#
#   frontend/build.sh
#
# Needs Node 20+ and npm with registry access (build time only). The outputs
# are committed, so the running site needs neither Node nor any network:
#   safer/static/app/app.css               compiled from app.scss (Arial, no GDS Transport)
#   safer/static/app/app.js                copied from app.js
#   safer/static/govuk/govuk-frontend.min.js
#   safer/static/govuk/assets/             images/manifest only (no fonts)
#   safer/static/govuk/LICENCE.txt
#   safer/static/app/map.js                copied from map.js (the rates choropleth)
#   safer/static/leaflet/                  Leaflet dist: leaflet.js, leaflet.css, images/, LICENSE
#   safer/tests_support/axe.min.js         tests only, NOT served statically
#   safer/tests_support/axe-core-LICENCE.txt
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

STATIC=../safer/static
GOVUK_DIST=node_modules/govuk-frontend/dist/govuk
TESTS_SUPPORT=../safer/tests_support

# Icons that GOV.UK Frontend's template.html links in {% block headIcons %}
# (and assets/manifest.json lists). NB: these show the GOV.UK crown; override
# headIcons in the base template to avoid displaying them.
ICONS=(favicon.ico favicon.svg govuk-icon-180.png govuk-icon-192.png govuk-icon-512.png govuk-icon-mask.svg)

npm ci --no-audit --no-fund --ignore-scripts

# 1. CSS
mkdir -p "$STATIC/app"
npx sass --no-source-map --style=compressed --pkg-importer=node app.scss "$STATIC/app/app.css"

if grep -q "GDS Transport" "$STATIC/app/app.css"; then
  echo "build.sh: app.css mentions GDS Transport; it must not" >&2
  exit 1
fi

# 2. GOV.UK assets: only what the CSS references, plus the icons/manifest.
rm -rf "$STATIC/govuk"
mkdir -p "$STATIC/govuk/assets/images"
cp "$GOVUK_DIST/assets/manifest.json" "$STATIC/govuk/assets/manifest.json"
for icon in "${ICONS[@]}"; do
  cp "$GOVUK_DIST/assets/images/$icon" "$STATIC/govuk/assets/images/$icon"
done
# url("/static/govuk/assets/<path>") -> <path>
{ grep -o 'url("\?[^)"]*"\?)' "$STATIC/app/app.css" || true; } \
  | sed -E 's/^url\("?//; s/"?\)$//' | sort -u \
  | while read -r url; do
      case "$url" in
        data:*) continue ;;
        /static/govuk/assets/*) rel="${url#/static/govuk/assets/}" ;;
        *) echo "build.sh: unexpected url($url) in app.css" >&2; exit 1 ;;
      esac
      if [ ! -f "$GOVUK_DIST/assets/$rel" ]; then
        echo "build.sh: app.css references missing asset $rel" >&2
        exit 1
      fi
      mkdir -p "$(dirname "$STATIC/govuk/assets/$rel")"
      cp "$GOVUK_DIST/assets/$rel" "$STATIC/govuk/assets/$rel"
    done

# 3. JS
cp "$GOVUK_DIST/govuk-frontend.min.js" "$STATIC/govuk/govuk-frontend.min.js"
cp app.js "$STATIC/app/app.js"
cp map.js "$STATIC/app/map.js"

# 3b. Leaflet for the maps (boundaries drawn from local GeoJSON, no tiles).
rm -rf "$STATIC/leaflet"
mkdir -p "$STATIC/leaflet/images"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$STATIC/leaflet/"
cp node_modules/leaflet/dist/images/*.png "$STATIC/leaflet/images/"
cp node_modules/leaflet/LICENSE "$STATIC/leaflet/LICENSE"

# 3c. No source-map comments: the .map files are not shipped, and production's collectstatic (the manifest storage)
#     refuses a file that names one it cannot find.
sed -i -E 's@//# sourceMappingURL=[^[:space:]]*[[:space:]]*$@@' "$STATIC/govuk/govuk-frontend.min.js" "$STATIC/leaflet/leaflet.js"

# 4. Licence notes. The govuk-frontend npm package ships no LICENSE file; this
#    is the text of LICENSE.txt in github.com/alphagov/govuk-frontend.
GOVUK_VERSION=$(node -p 'require("./node_modules/govuk-frontend/package.json").version')
cat > "$STATIC/govuk/LICENCE.txt" <<EOF
Files in this directory come from the npm package govuk-frontend@${GOVUK_VERSION}
(https://github.com/alphagov/govuk-frontend), copied by frontend/build.sh.
The code is released under the MIT License below. The images in assets/images
(crown favicons, Royal Arms crest) are Crown copyright and are for GOV.UK
services only; they are not covered by the MIT licence.

The MIT License (MIT)

Copyright (C) 2017 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
EOF

# 5. axe-core for the accessibility tests (never served to users).
AXE_VERSION=$(node -p 'require("./node_modules/axe-core/package.json").version')
mkdir -p "$TESTS_SUPPORT"
cp node_modules/axe-core/axe.min.js "$TESTS_SUPPORT/axe.min.js"
{
  echo "axe.min.js is axe-core ${AXE_VERSION} (https://github.com/dequelabs/axe-core),"
  echo "copied unmodified from the npm package by frontend/build.sh, for tests only."
  echo "axe-core is Copyright (c) Deque Systems, Inc. and is licensed under the"
  echo "Mozilla Public License 2.0 (MPL-2.0); its source code is available at the"
  echo "address above. The full licence text and third-party notices follow."
  echo
  cat node_modules/axe-core/LICENSE
  echo
  cat node_modules/axe-core/LICENSE-3RD-PARTY.txt
} > "$TESTS_SUPPORT/axe-core-LICENCE.txt"

LEAFLET_VERSION=$(node -p 'require("./node_modules/leaflet/package.json").version')
echo "build.sh: built govuk-frontend ${GOVUK_VERSION}, axe-core ${AXE_VERSION}, leaflet ${LEAFLET_VERSION}"
