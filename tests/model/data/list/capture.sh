#!/usr/bin/env bash
# Regenerates the iptables -L captures in this folder from the *.rules files, with the real tools, on both
# backends, each in a network namespace of its own (created here, always deleted). Needs root, iptables, ipset.
#   usage: tests/model/data/list/capture.sh
set -euo pipefail
cd "$(dirname "$0")"
namespaces=()
cleanup() { for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done; }
trap cleanup EXIT

run() { ip netns exec "$ns" "$@"; }

for backend in nft legacy; do
    ns="csl-capture-$backend-$$"
    ip netns add "$ns"
    namespaces+=("$ns")
    run ipset restore < ipsets.save
    run "iptables-$backend-restore" < options.rules
    run "ip6tables-$backend-restore" < options6.rules
    {
        for t in raw mangle nat filter; do run "iptables-$backend" -t "$t" -L -n -v -x --line-numbers; echo; done
    } > "options.$backend.L-nvx-lines.txt"
    run "iptables-$backend" -L -n > "options.$backend.L-n.txt"
    for t in raw mangle nat filter; do run "iptables-$backend-save" -t "$t"; done > "options.$backend.save.txt"
    {
        for t in nat filter; do run "ip6tables-$backend" -t "$t" -L -n -v -x --line-numbers; echo; done
    } > "options6.$backend.L-nvx-lines.txt"
    run "ip6tables-$backend" -L -n > "options6.$backend.L-n.txt"
    for t in nat filter; do run "ip6tables-$backend-save" -t "$t"; done > "options6.$backend.save.txt"
done

ns="csl-capture-counters-$$"
ip netns add "$ns"
namespaces+=("$ns")
run iptables-nft-restore -c < counters.rules
run iptables-nft -L -n > counters.L-n.txt
run iptables-nft -L -n -v > counters.L-nv.txt
run iptables-nft -L -n -v -x > counters.L-nvx.txt
run iptables-nft -L -n --line-numbers > counters.L-n-lines.txt
run iptables-nft -L -n -v --line-numbers > counters.L-nv-lines.txt
run iptables-nft -L -n -x --line-numbers > counters.L-nx-lines.txt
