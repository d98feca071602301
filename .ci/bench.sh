#!/usr/bin/env bash
# Load test: throughput, latency (p50/p99) and timeouts at 1, 32 and 128
# connections of the home page, signed in
# as the admin (server-rendered, with its database queries and chart), of an
# assessment ranking of 500 units (loaded with `yingji import assessment`
# from a generated sheet), of the reporter coverage page for 50
# subdistricts and 1,000 villages, of a calendar month holding 2,000
# drills, and of a static file served by the same binary; then the home
# page while three heavy pages are loaded. A table of every run at the end. wrk from Debian, 127.0.0.1 only,
# each run bounded to DURATION seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { if [ "$(id -u)" = 0 ]; then apt-get install -y wrk; else sudo apt-get install -y wrk; fi; }
PORT="${YINGJI_BENCH_PORT:-3950}"
DURATION="${DURATION:-10}"
source .ci/demo-server.sh
start_demo_server "$PORT" "Bench-pass-2018"

COOKIE=$(curl -fsS -D - -o /dev/null -X POST "http://127.0.0.1:$PORT/api/login" \
  -H 'content-type: application/x-www-form-urlencoded' \
  --data "username=admin&password=$YINGJI_DEMO_PASSWORD" | grep -i '^set-cookie: yingji_session=' | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//')
[ -n "$COOKIE" ] || { echo "could not sign in"; exit 1; }
curl -fsS -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/" | grep -c '您好' >/dev/null || { echo "home page did not render"; exit 1; }

# One load run: wrk for DURATION seconds at C connections on one page,
# bounded in time; the full wrk output goes to the log, one summary line
# (requests/s, p50, p99, timeouts and errors) to the table at the end.
SUMMARY=$(mktemp)
load() {
  local name=$1 c=$2 url=$3 out
  out=$(wrk -t"$(( c < 2 ? 1 : 2 ))" -c"$c" -d"${DURATION}s" --timeout 2s --latency -H "Cookie: $COOKIE" "$url")
  echo "== $name, ${DURATION}s, $c connections =="
  echo "$out"
  echo "$out" | awk -v name="$name" -v c="$c" '
    /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    /^Requests\/sec/ { rps = $2 }
    /timeout/ { for (i = 1; i <= NF; i++) if ($i == "timeout") t = $(i + 1) }
    /Non-2xx/ { bad = $NF }
    END { printf "| %s | %s | %s | %s | %s | %s | %s |\n", name, c, rps, p50, p99, (t == "" ? 0 : t), (bad == "" ? 0 : bad) }' >>"$SUMMARY"
}
# The page at c=1 (latency alone), c=32 (the issue's load) and c=128
# (whether anything times out); LEVELS="16" measures at 16 alone.
LEVELS="${LEVELS:-1 32 128}"
levels() {
  local name=$1 url=$2 c
  for c in $LEVELS; do load "$name" "$c" "$url"; done
}

levels "home (admin)" "http://127.0.0.1:$PORT/"
levels "static file" "http://127.0.0.1:$PORT/pkg/yingji.css"

# Reporter coverage for a district of 50 subdistricts and 1,000 villages
# (the demo's topped up, written straight into the demo database): an
# assistant per subdistrict and a quick-reporter per village, registered
# and certified, with every 25th village and every 10th subdistrict left
# without, so the page lists about 45 gaps.
python3 - "$WORK/demo.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
subs = [r for r in db.execute("SELECT id, path FROM units WHERE kind = 'subdistrict'")]
villages = db.execute("SELECT COUNT(*) FROM units WHERE kind IN ('village', 'community')").fetchone()[0]
course = db.execute("SELECT id FROM courses ORDER BY id").fetchone()[0]
def unit(code, name, kind, parent, parent_path):
    cur = db.execute(
        "INSERT INTO units (code, name, kind, parent_id, path, min_on_duty, created_at, updated_at) VALUES (?, ?, ?, ?, '', 0, 0, 0)",
        (code, name, kind, parent),
    )
    path = f"{parent_path}{cur.lastrowid}/"
    db.execute("UPDATE units SET path = ? WHERE id = ?", (path, cur.lastrowid))
    return cur.lastrowid, path
new_subs = []
for i in range(max(1, 50 - len(subs))):
    new_subs.append(unit(f"FG{i:02d}", f"覆盖街道{i:02d}", "subdistrict", None, "/"))
seq = 0
def certified(unit_id, role):
    global seq
    seq += 1
    pid = db.execute(
        "INSERT INTO people (code, name, unit_id, positions, phone, created_at, updated_at) VALUES (?, ?, ?, '|', '13900000000', 0, 0)",
        (f"FGP{seq:05d}", f"覆盖人员{seq:05d}", unit_id),
    ).lastrowid
    db.execute(
        "INSERT INTO registry_entries (person_id, role, unit_id, appointed_on, confirmed_by, confirmed_at, created_by, created_at) VALUES (?, ?, ?, '2026-01-01', 'bench', 0, 'bench', 0)",
        (pid, role, unit_id),
    )
    db.execute(
        "INSERT INTO certificates (number, person_id, course_id, issued_on, expires_on, created_at) VALUES (?, ?, ?, '2026-01-01', '2099-01-01', 0)",
        (f"YJ-2026-{900000 + seq:06d}", pid, course),
    )
for k, (sid, _) in enumerate(new_subs):
    if k % 10 != 0:
        certified(sid, "assistant")
left = 1000 - villages
for j in range(left):
    sid, spath = new_subs[j % len(new_subs)]
    vid, _ = unit(f"FG-V{j:04d}", f"覆盖村{j:04d}", "village", sid, spath)
    if j % 25 != 0:
        certified(vid, "reporter")
db.commit()
print("subdistricts", db.execute("SELECT COUNT(*) FROM units WHERE kind = 'subdistrict'").fetchone()[0],
      "villages and communities", db.execute("SELECT COUNT(*) FROM units WHERE kind IN ('village', 'community')").fetchone()[0])
PY
curl -fsS -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/registry/coverage" | grep -c '覆盖村0000' >/dev/null || { echo "the coverage page did not render"; exit 1; }
levels "coverage, 1,000 villages" "http://127.0.0.1:$PORT/registry/coverage"

# A ranking of 500 subdistricts: 10 indicators, scores, ratios, events, a veto.
SHEET="$WORK/bench-sheet.json"
{
  echo '{"scheme": {"code": "S2030-BENCH", "year": 2030, "name": "2030年压力测试考核", "unit_kinds": ["subdistrict"],'
  echo '  "grades": {"excellent": 90, "good": 80, "pass": 60}, "bonus_cap": 5, "excellent_quota_percent": 35,'
  echo '  "indicators": ['
  for i in $(seq 0 9); do
    sep=$([ "$i" -lt 9 ] && echo , || true)
    if [ "$i" -lt 8 ]; then
      echo "    {\"code\": \"i$i\", \"category\": \"duty\", \"name\": \"指标$i\", \"max\": 10, \"method\": \"manual\"}$sep"
    else
      echo "    {\"code\": \"i$i\", \"category\": \"response\", \"name\": \"比例$i\", \"max\": 10, \"method\": \"ratio\", \"target_percent\": 97}$sep"
    fi
  done
  echo '  ], "deductions": [{"event": "late_report", "indicator": "i0", "points": 1}]},'
  echo '  "units": ['
  for u in $(seq 1 500); do
    sep=$([ "$u" -lt 500 ] && echo , || true)
    printf '    {"code": "BJ%03d", "name": "压测街道%03d", "kind": "subdistrict"}%s\n' "$u" "$u" "$sep"
  done
  echo '  ], "manual_scores": ['
  for u in $(seq 1 500); do
    for i in $(seq 0 7); do
      sep=$([ "$u" -lt 500 ] || [ "$i" -lt 7 ] && echo , || true)
      printf '    {"unit": "BJ%03d", "indicator": "i%d", "points": %d.%d}%s\n' "$u" "$i" $(( 5 + (u * 7 + i) % 5 )) $(( (u + i) % 10 )) "$sep"
    done
  done
  echo '  ], "ratios": ['
  for u in $(seq 1 500); do
    for i in 8 9; do
      sep=$([ "$u" -lt 500 ] || [ "$i" -lt 9 ] && echo , || true)
      printf '    {"unit": "BJ%03d", "indicator": "i%d", "numerator": %d, "denominator": 20}%s\n' "$u" "$i" $(( 10 + u % 11 )) "$sep"
    done
  done
  echo '  ], "events": [{"unit": "BJ001", "event": "late_report", "count": 2}],'
  echo '  "vetoes": [{"unit": "BJ002", "reason": "压测"}]}'
} > "$SHEET"
SCHEME=$("${YINGJI_BIN:-target/release/yingji}" import assessment "$SHEET" | sed -n 's/.*(id \([0-9]*\)).*/\1/p')
[ -n "$SCHEME" ] || { echo "could not import the bench sheet"; exit 1; }
curl -fsS -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/assessment/schemes/$SCHEME" | grep -c '压测街道500' >/dev/null || { echo "the ranking did not render"; exit 1; }
levels "ranking, 500 units" "http://127.0.0.1:$PORT/assessment/schemes/$SCHEME"

# A calendar month holding 2,000 drills (2030-05, written straight into the
# demo database with Python's sqlite3): the month view (four a day shown,
# the rest counted) and the week view (every event of the week).
python3 - "$WORK/demo.db" <<'PY'
import sqlite3, sys, json
db = sqlite3.connect(sys.argv[1])
units = [r[0] for r in db.execute("SELECT id FROM units ORDER BY id")]
scenarios = ["earthquake", "fire", "flood", "hazchem", "public_health", "other"]
base = 1903824000 - 8 * 3600  # 2030-05-01 00:00 in UTC+8
for i in range(2000):
    start = base + (i % 31) * 86400 + (8 + i % 10) * 3600
    cur = db.execute(
        "INSERT INTO drills (title, scenario, format, organizer_unit_id, start_at, end_at, place, objectives, status, created_by, created_at, updated_at) "
        "VALUES (?, ?, 'tabletop', ?, ?, ?, ?, ?, 'planned', 'bench', 0, 0)",
        (f"压测演练{i:04d}", scenarios[i % 6], units[i % len(units)], start, start + 5400, f"压测场地{i}", json.dumps(["目标"])),
    )
    db.execute("INSERT INTO drill_units (drill_id, unit_id) VALUES (?, ?)", (cur.lastrowid, units[i % len(units)]))
db.commit()
PY
curl -fsS -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/drills/calendar?at=2030-05" | grep -c '本期共 2000 项' >/dev/null || { echo "the calendar did not render"; exit 1; }
levels "month, 2,000 drills" "http://127.0.0.1:$PORT/drills/calendar?at=2030-05"
levels "week, ~450 events" "http://127.0.0.1:$PORT/drills/calendar?at=2030-05-13"

# The home page while the heavy pages are loaded: the ranking, the coverage
# and the month at 32 connections each in the background, the home page at
# 4 connections beside them, all for the same DURATION.
HEAVY=()
for url in "assessment/schemes/$SCHEME" registry/coverage "drills/calendar?at=2030-05"; do
  wrk -t1 -c32 -d"${DURATION}s" --timeout 2s -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/$url" >/dev/null &
  HEAVY+=($!)
done
load "home beside 3 × 32 heavy" 4 "http://127.0.0.1:$PORT/"
for p in "${HEAVY[@]}"; do wait "$p"; done

# `yingji schedule` as a whole process on a district-sized plan: 20,000
# trainees in 500 units, 200 one-day batches, a third of the trainees with
# one to three unavailable spans (the criterion bench's plan, generated here
# by Python). Best of five runs, output to /dev/null.
PLAN="$WORK/bench-plan.json"
python3 - "$PLAN" <<'PY'
import json, random, sys, datetime
rng = random.Random(2018)
day0 = datetime.date(2018, 1, 8)
d = lambda x: x.isoformat()
batches = [{"code": f"B{i:03d}", "start": d(day0 + datetime.timedelta(days=2 * i)), "end": d(day0 + datetime.timedelta(days=2 * i)), "capacity": 110} for i in range(200)]
units = [{"code": f"U{u:03d}", "staff": 40, "min_on_duty": 30 + u % 9} for u in range(500)]
trainees = []
for t in range(20000):
    spans = []
    if rng.randrange(3) == 0:
        for _ in range(1 + rng.randrange(3)):
            a = day0 + datetime.timedelta(days=rng.randrange(400))
            spans.append([d(a), d(a + datetime.timedelta(days=rng.randrange(10)))])
    trainees.append({"id": f"P{t:05d}", "unit": f"U{t % 500:03d}", "unavailable": spans})
json.dump({"batches": batches, "units": units, "trainees": trainees}, open(sys.argv[1], "w"))
PY
BEST=""
for _ in 1 2 3 4 5; do
  START=$(date +%s%N)
  "${YINGJI_BIN:-target/release/yingji}" schedule "$PLAN" >/dev/null
  MS=$(( ($(date +%s%N) - START) / 1000000 ))
  if [ -z "$BEST" ] || [ "$MS" -lt "$BEST" ]; then BEST=$MS; fi
done
echo "| yingji schedule, 20,000 trainees × 200 batches × 500 units ($(wc -c <"$PLAN") bytes) | process | best of 5: ${BEST} ms | | | | |" >>"$SUMMARY"

echo
echo "| page | connections | requests/s | p50 | p99 | timeouts | non-2xx |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
cat "$SUMMARY"
rm -f "$SUMMARY"
