#!/bin/bash
# run drain in background, attach strace -c to gateway for 10 s
cd /work/main
BENCH_SKIP_BUILD=1 node --import tsx bench/.scratch/drain.ts 10000 32 &
sleep 25
PID=$(pgrep -f "alertgate-bench/dist/cli/run.js serve" | head -1)
echo gateway $PID
timeout 10 strace -f -c -e trace=fsync,fdatasync,pwrite64,write -p $PID 2>&1 | tail -15
wait
