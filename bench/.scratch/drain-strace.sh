#!/bin/bash
# run drain in background, attach strace -c to gateway for 10 s
cd /work/main
BENCH_SKIP_BUILD=1 node --import tsx bench/.scratch/drain.ts 10000 32 &
sleep 25
PID=$(pgrep -f "alertgate-bench/dist/cli/run.js serve" | head -1)
echo gateway $PID
timeout 5 strace -f -T -e trace=fsync -p $PID 2>&1 | grep -o "<[0-9.]*>" | tr -d "<>" | sort -n | awk "{a[NR]=\$1; s+=\$1} END {print \"n\",NR,\"mean\",s/NR,\"p50\",a[int(NR*0.5)],\"p90\",a[int(NR*0.9)],\"max\",a[NR]}"
wait
