#!/usr/bin/env bash
# The REPL on a real terminal (a tmux pane): Tab completes a partial word, a query runs,
# Ctrl-C drops a line, and the history survives a restart. Usage: Tests/tty/repl.sh path/to/dun
set -euo pipefail
dun=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
pane="dun-tty-$$"
trap 'tmux kill-session -t "$pane" 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "tty test failed: $1"; echo "--- screen:"; tmux capture-pane -p -t "$pane" || true; exit 1; }

start() {
    # No LANG, as in CI: the REPL must still take Chinese.
    tmux new-session -d -s "$pane" -x 120 -y 40 \
        "env -u LANG -u LC_ALL DUN_HISTORY=$work/history NO_COLOR=1 $dun --data examples/acme --as-of 2026-11-28"
}
# Waits until the screen shows the text (fixed string), or fails.
expect() {
    for _ in $(seq 50); do
        tmux capture-pane -p -t "$pane" | grep -qF -- "$1" && return 0
        sleep 0.1
    done
    fail "no '$1' on the screen"
}

start
expect "dun>"
# The banner: the workspace and its as-of date.
expect "72 customers, 800 invoices, 743 payments, as of 2026-11-28"
tmux send-keys -t "$pane" 'custo' Tab 'where regi' Tab '= "西' Tab
expect 'dun> customers where region = "西南"'
tmux send-keys -t "$pane" ' and grade <' Tab Tab
expect 'A  B  C  D  E'
tmux send-keys -t "$pane" ' D |' Enter
expect '...>'
tmux send-keys -t "$pane" 'count' Enter
sleep 0.5
tmux capture-pane -p -t "$pane" | grep -qx '1' || fail "the query's result (1) is not shown"
tmux send-keys -t "$pane" 'customers wher' C-c
sleep 0.3
tmux send-keys -t "$pane" 'invoices | count' Enter
expect '800'
tmux capture-pane -p -t "$pane" | grep -q 'customers wherinvoices' && fail "Ctrl-C did not drop the line"
tmux send-keys -t "$pane" C-d
for _ in $(seq 50); do tmux has-session -t "$pane" 2>/dev/null || break; sleep 0.1; done
tmux has-session -t "$pane" 2>/dev/null && fail "Ctrl-D did not exit"

[ "$(stat -c %a "$work/history")" = 600 ] || fail "the history file is not mode 600"
start
expect "dun>"
# Up twice: the multi-line statement comes back whole, as one entry.
tmux send-keys -t "$pane" Up Up
expect 'dun> customers where region = "西南" and grade < D |'
tmux capture-pane -p -t "$pane" | grep -qx 'count' || fail "the second line of the statement did not come back"
tmux send-keys -t "$pane" Enter
sleep 0.5
tmux capture-pane -p -t "$pane" | grep -qx '1' || fail "the recalled statement did not run"
tmux send-keys -t "$pane" '.quit' Enter
echo "tty test passed"
