#!/usr/bin/env bash
# A/B runner: one Gatling simulation against A (say the store directly) and B (the proxy in front of it),
# alternating A B A B ... so that both see the same machine state, then a ratio table B/A.
#
#   load-tests/ab-run.sh PassThroughSimulation 127.0.0.1:20143 127.0.0.1:1143 [rounds] [-Dkey=value ...]
#
# Writes load-tests/target/ab/<simulation>-<time>.md and .csv (one row per run, then the medians and B/A), and
# names each run's Gatling HTML report. Extra -D options go to every run (users, seconds, CSV of users, TLS...).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 3 ]; then
  sed -n '2,8p' "$0" >&2
  exit 2
fi
sim=$1; a=$2; b=$3; shift 3
rounds=3
if [ $# -gt 0 ] && [[ $1 =~ ^[0-9]+$ ]]; then rounds=$1; shift; fi
extra=("$@")
case "$sim" in *.*) ;; *) sim="org.modseqproxy.load.simulations.$sim" ;; esac
short=${sim##*.}
out=load-tests/target/ab
mkdir -p "$out"
stamp=$(date +%Y%m%d-%H%M%S)
csv="$out/$short-$stamp.csv"
md="$out/$short-$stamp.md"
echo "side,round,host_port,ok,ko,throughput_rps,p50_ms,p99_ms,bytes_in,bytes_out,bytes_per_request,load_average,report" > "$csv"

# "> mean throughput (rps)   |  774.38 |  774.38 | -" -> the Total column
stat() { grep -m1 -F "> $1" "$2" | awk -F'|' '{gsub(/[ ,]/, "", $2); print $2}'; }
# "IMAP traffic: 123 bytes in, 45 bytes out, 6 connections" (printed by every bundled simulation) -> 123,45
traffic() { grep -m1 -o 'IMAP traffic: [0-9]* bytes in, [0-9]* bytes out' "$1" | awk '{print $3","$6}'; }
okko() { grep -m1 -F "> request count" "$1" | awk -F'|' '{gsub(/[ ,]/, "", $3); gsub(/[ ,]/, "", $4); if ($4=="-") $4=0; print $3","$4}'; }

for r in $(seq 1 "$rounds"); do
  for side in A B; do
    target=$a; [ "$side" = B ] && target=$b
    host=${target%:*}; port=${target##*:}
    log="$out/$short-$stamp-$side$r.log"
    load=$(cut -d' ' -f1 /proc/loadavg)
    echo "ab-run: round $r, $side ($target), load average $load"
    set +e
    mvn -q -pl load-tests gatling:test -Dgatling.simulationClass="$sim" -Dimap.host="$host" -Dimap.port="$port" \
        "${extra[@]}" > "$log" 2>&1
    rc=$?
    set -e
    report=$(grep -o 'load-tests/target/gatling/[^ ]*/index.html\|target/gatling/[^ ]*/index.html' "$log" | tail -1)
    if ! grep -q -F "> request count" "$log"; then
      echo "ab-run: run $side$r produced no statistics (exit $rc); see $log" >&2
      exit 1
    fi
    counts=$(okko "$log")
    bytes=$(traffic "$log"); bytes=${bytes:-0,0}
    per=$(awk -v c="$counts" -v b="$bytes" 'BEGIN { split(c, n, ","); split(b, x, ","); r = n[1] + n[2]; printf "%.0f", (r > 0 ? (x[1] + x[2]) / r : 0) }')
    echo "$side,$r,$target,$counts,$(stat 'mean throughput (rps)' "$log"),$(stat 'response time 50th percentile (ms)' "$log"),$(stat 'response time 99th percentile (ms)' "$log"),$bytes,$per,$load,$report" >> "$csv"
  done
done

median() { sort -n | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
col() { awk -F, -v s="$1" -v c="$2" 'NR>1 && $1==s {print $c}' "$csv" | median; }
{
  echo "# A/B: $short, A = $a, B = $b, $rounds rounds (alternating), $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Extra options: ${extra[*]:-(none)}"
  echo
  echo "| run | target | OK | KO | throughput (rps) | p50 (ms) | p99 (ms) | bytes in | bytes out | bytes/request | load avg | report |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  awk -F, 'NR>1 {printf "| %s%s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13}' "$csv"
  echo
  echo "Bytes are on the wire (TLS included), both directions, over every request of the run."
  echo
  echo "| median | throughput (rps) | p50 (ms) | p99 (ms) | bytes/request |"
  echo "|---|---|---|---|---|"
  for s in A B; do echo "| $s | $(col $s 6) | $(col $s 7) | $(col $s 8) | $(col $s 11) |"; done
  awk -v ta="$(col A 6)" -v tb="$(col B 6)" -v pa="$(col A 7)" -v pb="$(col B 7)" -v qa="$(col A 8)" -v qb="$(col B 8)" \
      -v ba="$(col A 11)" -v bb="$(col B 11)" \
      'function r(x, y) { return y > 0 ? sprintf("%.2f", x / y) : "n/a" }
       BEGIN { printf "| B/A | %s | %s | %s | %s |\n", r(tb, ta), r(pb, pa), r(qb, qa), r(bb, ba) }'
} > "$md"
cat "$md"
echo "ab-run: wrote $md and $csv"
