#!/usr/bin/env bash
# Installs the Debian packages the tool and its tests need, only when missing.
# Usage: tools/install-system-deps.sh [runtime|test]
#   runtime: what WeasyPrint needs to make PDFs (Pango, HarfBuzz subsetting) and fonts that
#            draw a patient's name in any script behind the clinic's font: DejaVu (Latin,
#            Greek, Cyrillic, Hebrew), Noto UI core (Arabic, Thai, Devanagari and other
#            Indic scripts; 1.4 MB download), Noto CJK (Chinese, Japanese, Korean; 57 MB),
#            Noto Color Emoji (10 MB). fonts-noto-core would add 11 MB for scripts DejaVu
#            already covers.
#   test:    also Poppler (pdftotext/pdftoppm), CUPS with the cups-pdf printer driver, and
#            chromium with npm (the web tests drive the browser and run axe-core inside it),
#            and faketime (tests run whole commands on a day the test chooses)
set -euo pipefail

level=${1:-runtime}
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 shared-mime-info
  fonts-dejavu-core fonts-noto-ui-core fonts-noto-cjk fonts-noto-color-emoji)
if [[ $level == test ]]; then
  packages+=(poppler-utils cups cups-client cups-bsd printer-driver-cups-pdf chromium faketime)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
# npm only when there is none: a Node.js from another source carries its own npm,
# and Debian's npm package would fight it over the nodejs package.
if [[ $level == test ]] && ! command -v npm >/dev/null; then
  missing+=(npm)
fi
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
  apt=(apt-get)
elif command -v sudo >/dev/null; then
  apt=(sudo apt-get)
else
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them as root: apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${apt[@]}" update -qq
"${apt[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
