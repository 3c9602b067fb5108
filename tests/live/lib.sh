# tests/live/lib.sh - sourced by live.sh and load.sh: a temporary folder
# and the processes a script starts (their PIDs in the array `pids`), both
# gone when it exits; KEEP=1 keeps the folder. Only those PIDs are killed.
live_setup() { # NAME
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 99
    pids=()
    trap live_cleanup EXIT
}

live_cleanup() {
    local p
    for p in "${pids[@]}"; do
        kill -KILL "$p" 2>/dev/null && { wait "$p"; } 2>/dev/null
    done
    if [ -n "${KEEP:-}" ]; then
        echo "# kept $tmp"
    else
        rm -rf "$tmp"
    fi
}
