#!/bin/sh
# Check the Grafana dashboard's structure and list (or run) its PromQL expressions.
#
#   prometheus/dashboard-queries.sh [DASHBOARD_JSON]
#       Structural checks, then prints every expression with Grafana's variables
#       replaced: $__rate_interval -> 1m, $__interval -> 15s, $__range -> 1h,
#       $target -> .*, $job -> .+, $instance -> .+
#       (one line per query: "<panel title> [<refId>]: <expr>")
#
#   prometheus/dashboard-queries.sh --prometheus http://localhost:9090 [DASHBOARD_JSON]
#       Also runs every expression as an instant query and fails unless each one
#       parses and returns at least one sample.
#
# Needs: sh, jq; curl for --prometheus. Exit status 0 = all good, 1 = a check failed,
# 2 = bad usage.

set -eu

prometheus=""
if [ "${1:-}" = "--prometheus" ]; then
    [ $# -ge 2 ] || { echo "usage: $0 [--prometheus URL] [DASHBOARD_JSON]" >&2; exit 2; }
    prometheus="${2%/}"
    shift 2
fi
dashboard="${1:-$(dirname "$0")/../grafana/dashboards/rocketchat-import.json}"
[ -r "$dashboard" ] || { echo "cannot read $dashboard" >&2; exit 2; }

# --- structure ----------------------------------------------------------------------
problems=$(jq -r '
  def panels: .panels[] | ., (.panels[]?);
  (if .uid != "rocketchat-import" then "uid is \(.uid | tojson), want \"rocketchat-import\"" else empty end),
  (if has("__inputs") then "__inputs present: use the ${datasource} variable instead" else empty end),
  (if ([.templating.list[] | select(.name == "datasource" and .type == "datasource")] | length) != 1
     then "no datasource variable" else empty end),
  (if ([.templating.list[] | select(.name == "target" and .multi and .includeAll)] | length) != 1
     then "no multi-value target variable with All" else empty end),
  (if .editable != false then "editable is not false (dashboards as code)" else empty end),
  (.templating.list[] | select(.name == "job" or .name == "instance") |
     (if (.multi and .includeAll and .allValue == ".+" and .refresh == 2 and .datasource.uid == "${datasource}") | not
        then "variable \(.name): want multi, includeAll, allValue .+, refresh on time change, ${datasource}" else empty end)),
  (if ([.templating.list[] | select(.name == "job" or .name == "instance")] | length) != 2
     then "no job and instance variables" else empty end),
  (panels | select(.type != "row") |
     (if .datasource.uid != "${datasource}" then "panel \(.title | tojson): datasource is not ${datasource}" else empty end),
     (if ((.targets // []) | length) == 0 then "panel \(.title | tojson): no queries" else empty end),
     (if ([.targets[]?.refId] | length) != ([.targets[]?.refId] | unique | length)
        then "panel \(.title | tojson): duplicate refId" else empty end),
     (.title as $t | .targets[]? |
        (if ((.expr // "") | test("\\S") | not) then "panel \($t | tojson): a query without expr" else empty end),
        (if ((.refId // "") == "") then "panel \($t | tojson): a query without refId" else empty end),
        (if .datasource.uid != "${datasource}" then "panel \($t | tojson) [\(.refId)]: query datasource is not ${datasource}" else empty end),
        (if ((.expr // "") | (test("job=~\"\\$job\"") and test("instance=~\"\\$instance\"")) | not)
           then "panel \($t | tojson) [\(.refId)]: no job/instance matcher" else empty end)))
' "$dashboard")
if [ -n "$problems" ]; then
    printf '%s\n' "$problems" >&2
    exit 1
fi

# --- expressions --------------------------------------------------------------------
# One line per query, tab-separated: label, expr (newlines folded to spaces).
queries=$(jq -r '
  def panels: .panels[] | ., (.panels[]?);
  panels | select(.type != "row") | .title as $t | .targets[] |
  [ "\($t) [\(.refId)]",
    (.expr
      | gsub("\\$__rate_interval"; "1m") | gsub("\\$__interval"; "15s")
      | gsub("\\$__range"; "1h") | gsub("\\$target"; ".*")
      | gsub("\\$job"; ".+") | gsub("\\$instance"; ".+")
      | gsub("\\s*\\n\\s*"; " ")) ] | @tsv
' "$dashboard")

count=0
failed=0
tab=$(printf '\t')
while IFS="$tab" read -r label expr; do
    count=$((count + 1))
    if [ -z "$prometheus" ]; then
        printf '%s: %s\n' "$label" "$expr"
        continue
    fi
    answer=$(curl -sS --max-time 10 "$prometheus/api/v1/query" --data-urlencode "query=$expr") || answer='{"status":"error","error":"curl failed"}'
    verdict=$(printf '%s' "$answer" | jq -r '
      if .status != "success" then "ERROR \(.error // "unknown")"
      elif (.data.result | length) == 0 then "NO DATA"
      else "ok (\(.data.result | length) series)" end' 2>/dev/null) || verdict="ERROR unreadable answer"
    case "$verdict" in ok*) ;; *) failed=$((failed + 1)) ;; esac
    printf '%-16s %s: %s\n' "$verdict" "$label" "$expr"
done <<EOF
$queries
EOF

if [ -n "$prometheus" ]; then
    echo "$count queries, $failed failed" >&2
    [ "$failed" -eq 0 ] || exit 1
else
    echo "$count queries, structure ok" >&2
fi
