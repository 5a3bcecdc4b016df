#!/usr/bin/env bash
# The tests, exactly as CI runs them. Needs ../shared beside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/jdk25.sh
exec mvn -B -ntp verify "$@"
