#!/usr/bin/env bash
# Prepares this checkout on a Debian or Ubuntu machine: the system packages the app
# needs, the virtual environment, the Python requirements and the translations.
# Safe to run again: each step skips what is already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33m!!\033[0m %s\n' "$*" >&2; }

# 1. System packages: Pango (WeasyPrint), Noto CJK (Chinese PDFs), gettext
#    (translations), Chromium (browser tests), poppler-utils (PDF checks),
#    python3-venv (Debian's venv needs it).
SYSTEM_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk gettext chromium poppler-utils)
if ! "$PYTHON" -c 'import ensurepip' >/dev/null 2>&1; then
  SYSTEM_PACKAGES+=("python3-venv")
fi
if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for package in "${SYSTEM_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$package")
    fi
  done
  if [ ${#missing[@]} -gt 0 ]; then
    install_cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
    if [ "$(id -u)" = 0 ]; then
      say "Installing system packages: ${missing[*]}"
      if ! (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null); then
        warn "Could not install ${missing[*]}; run: $install_cmd"
      fi
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      say "Installing system packages with sudo: ${missing[*]}"
      sudo -n sh -c "DEBIAN_FRONTEND=noninteractive $install_cmd" >/dev/null || warn "Could not install them; run: sudo sh -c '$install_cmd'"
    else
      warn "Some system packages are missing (${missing[*]}). Run this as root, then run make again:"
      warn "    sudo sh -c '$install_cmd'"
      warn "Going on without them: PDFs, translations or browser tests may not work until then."
    fi
  fi
else
  warn "Not a Debian-based system: install Pango, Noto CJK fonts, gettext, Chromium and poppler-utils yourself."
fi

# 2. Virtual environment and requirements (reinstalled only when requirements.txt changes).
if [ ! -x "$VENV/bin/python" ]; then
  say "Creating the virtual environment in $VENV"
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.requirements.sha256"
wanted=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  say "Installing the Python requirements"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -r requirements.txt
  echo "$wanted" > "$stamp"
fi

# 3. Translations (.po -> .mo), when a catalog is newer than its compiled file.
if command -v msgfmt >/dev/null 2>&1; then
  for po in locale/*/LC_MESSAGES/django.po; do
    [ -f "$po" ] || continue
    mo="${po%.po}.mo"
    if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then
      say "Compiling translations: $po"
      msgfmt --check -o "$mo" "$po"
    fi
  done
else
  warn "gettext is missing: the interface falls back to English until it is installed."
fi
