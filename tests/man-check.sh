#!/bin/bash
# The man page: mandoc lint is clean, and every "$ sipsleuth ..." line of
# EXAMPLES runs from the source tree and succeeds (TAP).
set -u
top=${top_srcdir:-.}
build=${top_builddir:-.}
bin=${SIPSLEUTH:-$build/sipsleuth}
man=$build/man/sipsleuth.1
[ -f "$man" ] || { echo "1..0 # SKIP $man not built"; exit 0; }
mapfile -t ex < <(sed -n '/^\.SH EXAMPLES/,/^\.SH /p' "$man" |
    awk '/^\$ sipsleuth/{cmd=$0; while (cmd ~ /(\\e|\|)$/) {sub(/\\e$/,"",cmd); getline l; cmd=cmd " " l} print cmd}' |
    sed -e 's/^\$ //' -e 's/\\-/-/g' -e 's/\\e/\\/g')
echo "1..$(( ${#ex[@]} + 1 ))"
if command -v mandoc >/dev/null 2>&1; then
    lint=$(mandoc -T lint -W warning "$man" 2>&1)
    if [ -z "$lint" ]; then echo "ok 1 - mandoc -T lint"; else echo "not ok 1 - mandoc -T lint"; echo "$lint" | sed 's/^/# /'; fi
else
    echo "ok 1 - mandoc -T lint # SKIP mandoc not installed"
fi
i=1
for cmd in "${ex[@]}"; do
    i=$((i + 1))
    run=${cmd/#sipsleuth/$bin}
    if out=$(cd "$top" && TZ=UTC bash -o pipefail -c "$run" 2>&1); then
        echo "ok $i - example: $cmd"
    else
        echo "not ok $i - example: $cmd"
        echo "$out" | head -n 10 | sed 's/^/# /'
    fi
done
exit 0
