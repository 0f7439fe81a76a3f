# Sourced by scripts/run and scripts/test: create .venv and (re)install the project when
# pyproject.toml changed, so a fresh clone needs no manual step.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
EXTRAS="${1:-}"
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Briefing needs Python 3.11 or newer (found: $("$PY" --version 2>&1))." >&2
    exit 1
fi
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
STAMP="$VENV/.installed-$EXTRAS"
WANT="$(cat "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
    echo "Installing Briefing${EXTRAS:+ [$EXTRAS]} into .venv (first run or changed dependencies)..." >&2
    LOG="$VENV/install.log"
    if ! { "$VENV/bin/python" -m pip install --upgrade pip \
           && "$VENV/bin/python" -m pip install -e "$ROOT${EXTRAS:+[$EXTRAS]}"; } > "$LOG" 2>&1; then
        cat "$LOG" >&2
        echo "Installing failed; the output above is also in $LOG." >&2
        exit 1
    fi
    echo "$WANT" > "$STAMP"
fi
