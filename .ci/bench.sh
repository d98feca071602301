#!/usr/bin/env bash
# Load test: throughput and latency (p50/p90/p99) of the home page, signed in
# as the admin (server-rendered, with its database queries and chart), of an
# assessment ranking of 500 units (loaded with `yingji import assessment`
# from a generated sheet), of the reporter coverage page for 50
# subdistricts and 1,000 villages, of a calendar month holding 2,000
# drills, and of a
# static file served by the same binary. wrk from Debian, 127.0.0.1 only,
# each run bounded to DURATION seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { if [ "$(id -u)" = 0 ]; then apt-get install -y wrk; else sudo apt-get install -y wrk; fi; }
PORT="${YINGJI_BENCH_PORT:-3950}"
DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-16}"
source .ci/demo-server.sh
start_demo_server "$PORT" "Bench-pass-2018"

COOKIE=$(curl -fsS -D - -o /dev/null -X POST "http://127.0.0.1:$PORT/api/login" \
  -H 'content-type: application/x-www-form-urlencoded' \
  --data "username=admin&password=$YINGJI_DEMO_PASSWORD" | grep -i '^set-cookie: yingji_session=' | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//')
[ -n "$COOKIE" ] || { echo "could not sign in"; exit 1; }
curl -fsS -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/" | grep -c '您好' >/dev/null || { echo "home page did not render"; exit 1; }

echo "== home page (signed in as admin), ${DURATION}s, $CONNECTIONS connections =="
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/"
echo "== static file /pkg/yingji.css, ${DURATION}s, $CONNECTIONS connections =="
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:$PORT/pkg/yingji.css"

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
echo "== reporter coverage, 50 subdistricts and 1,000 villages (/registry/coverage), ${DURATION}s, $CONNECTIONS connections =="
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/registry/coverage"

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
SCHEME=$(target/release/yingji import assessment "$SHEET" | sed -n 's/.*(id \([0-9]*\)).*/\1/p')
[ -n "$SCHEME" ] || { echo "could not import the bench sheet"; exit 1; }
curl -fsS -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/assessment/schemes/$SCHEME" | grep -c '压测街道500' >/dev/null || { echo "the ranking did not render"; exit 1; }
echo "== assessment ranking of 500 units (/assessment/schemes/$SCHEME), ${DURATION}s, $CONNECTIONS connections =="
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/assessment/schemes/$SCHEME"

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
echo "== calendar month with 2,000 drills (/drills/calendar?at=2030-05), ${DURATION}s, $CONNECTIONS connections =="
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/drills/calendar?at=2030-05"
echo "== calendar week of that month (/drills/calendar?at=2030-05-13: every event shown), ${DURATION}s, $CONNECTIONS connections =="
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/drills/calendar?at=2030-05-13"
