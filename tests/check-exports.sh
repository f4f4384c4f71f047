#!/bin/sh
# check-exports.sh LIB - every dynamic symbol that LIB defines starts with
# plaudit_ (the export macro and hidden visibility keep the rest inside).
set -eu
lib=${1:?usage: check-exports.sh libplaudit.so}
NM=${NM:-nm}
syms=$("$NM" -D --defined-only "$lib" | awk 'NF >= 3 { print $3 }')
if [ -z "$syms" ]; then
    echo "no exported symbols found in $lib" >&2
    exit 1
fi
bad=$(printf '%s\n' "$syms" | grep -v '^plaudit_' || true)
if [ -n "$bad" ]; then
    echo "symbols exported without the plaudit_ prefix:" >&2
    printf '  %s\n' $bad >&2
    exit 1
fi
# The API is there: a few functions every user needs.
for f in plaudit_ctx_new plaudit_ctx_free plaudit_record plaudit_state_digest; do
    printf '%s\n' "$syms" | grep -qx "$f" || { echo "missing export $f" >&2; exit 1; }
done
echo "$(printf '%s\n' "$syms" | wc -l) exported symbols, all plaudit_*"
