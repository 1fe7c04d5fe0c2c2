#!/bin/sh
# docs/stdlib.md is generated: `sysfence doc policies/stdlib/*.policy`.
# Regenerates it into OUT and fails, showing the difference, if the
# committed copy is stale.
# usage: check_doc.sh SYSFENCE OUT DOC POLICY...
set -eu
sf=$1 out=$2 doc=$3
shift 3
"$sf" doc "$@" > "$out"
if diff -u "$doc" "$out"; then
    echo "docs/stdlib.md is up to date"
else
    echo "docs/stdlib.md is stale; regenerate it with:"
    echo "  build/sysfence doc policies/stdlib/*.policy > docs/stdlib.md"
    exit 1
fi
