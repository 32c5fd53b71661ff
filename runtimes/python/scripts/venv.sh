#!/usr/bin/env bash
# Creates (or refreshes) the virtualenv of the Python runtime from PyPI: the runtime installed in
# editable mode with its test tools (pytest, ruff). Idempotent and quick when nothing changed: a
# stamp holds the hash of pyproject.toml and of this script.
#   runtimes/python/scripts/venv.sh            -> runtimes/python/.venv
#   NANOFAAS_PYTHON_VENV=/some/dir venv.sh     -> /some/dir
# Prints the venv's python on the last line of stdout.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="${NANOFAAS_PYTHON_VENV:-$here/.venv}"
python="${PYTHON:-python3}"

command -v "$python" >/dev/null || { echo "venv.sh: $python is not installed" >&2; exit 3; }
stamp="$venv/.nanofaas-stamp"
want="$(cat "$here/pyproject.toml" "$0" | sha256sum | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "$venv/bin/python"
  exit 0
fi

echo "venv.sh: preparing $venv (pip install from PyPI)" >&2
"$python" -m venv "$venv" >&2 || { echo "venv.sh: '$python -m venv' failed (on Debian: apt-get install python3-venv)" >&2; exit 3; }
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$here[test]" >&2
echo "$want" > "$stamp"
echo "$venv/bin/python"
