#!/usr/bin/env bash
# Seaway runs this from the package's installation directory after it has set appsettings.json for the
# environment (structured configuration variables). It stops the instance the previous deployment to this
# environment started, starts this one detached, waits until it answers, and hands its URL to later steps.

ENVIRONMENT="$(get_octopusvariable "Octopus.Environment.Name")"
RELEASE="$(get_octopusvariable "Octopus.Release.Number")"
STATE_DIR="$(get_octopusvariable "Octopus.Tentacle.Agent.ApplicationDirectoryPath")/random-quotes/$ENVIRONMENT"
PID_FILE="$STATE_DIR/app.pid"
APP_DIR="$PWD"
PORT="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["App"]["Port"])' appsettings.json)"
URL="http://127.0.0.1:$PORT/"

case "$PORT" in
  '' | *[!0-9]*)
    echo "App:Port has no number for $ENVIRONMENT in appsettings.json (got \"$PORT\")." >&2
    exit 1 ;;
esac

echo "Deploying release $RELEASE to $ENVIRONMENT from $APP_DIR"
# The demo has no database; this line shows that sensitive values are masked in the task log.
echo "Connecting with password $(get_octopusvariable "Db Password")"

# True while the pid is a running python process of a Random Quotes app (a zombie has an empty cmdline).
is_our_app() {
  local cmdline
  cmdline="$(tr '\0' ' ' 2>/dev/null < "/proc/$1/cmdline")" || return 1
  case "$cmdline" in *python*app.py*--settings*) return 0 ;; *) return 1 ;; esac
}

port_in_use() {
  (: < "/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
}

app_answers() {
  python3 -c 'import sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "health", timeout=1) as response:
    sys.exit(0 if response.read().strip() == b"ok" else 1)' "$URL" 2>/dev/null
}

mkdir -p "$STATE_DIR"

if [ -f "$PID_FILE" ]; then
  OLD_PID="$(cat "$PID_FILE")"
  case "$OLD_PID" in '' | *[!0-9]*) OLD_PID="" ;; esac
  if [ -n "$OLD_PID" ] && is_our_app "$OLD_PID"; then
    echo "Stopping the running instance (pid $OLD_PID)"
    kill "$OLD_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
      is_our_app "$OLD_PID" || break
      sleep 0.1
    done
    if is_our_app "$OLD_PID"; then
      kill -9 "$OLD_PID" 2>/dev/null || true
    fi
  else
    echo "No running instance to stop."
  fi
  rm -f "$PID_FILE"
fi

if port_in_use; then
  echo "Port $PORT is already in use by another program; stop it or change App:Port for $ENVIRONMENT." >&2
  exit 1
fi

# Detached (its own session, no terminal, output to app.log) so that it outlives this step.
setsid nohup python3 "$APP_DIR/app.py" --settings "$APP_DIR/appsettings.json" > "$STATE_DIR/app.log" 2>&1 < /dev/null &
NEW_PID=$!
echo "$NEW_PID" > "$PID_FILE"
echo "Started release $RELEASE (pid $NEW_PID); waiting for $URL to answer"

READY=no
DEADLINE=$((SECONDS + 15))
while [ "$SECONDS" -lt "$DEADLINE" ]; do
  kill -0 "$NEW_PID" 2>/dev/null || break
  if app_answers; then
    READY=yes
    break
  fi
  sleep 0.5
done

if [ "$READY" != yes ]; then
  echo "Random Quotes did not answer on $URL. The end of $STATE_DIR/app.log:" >&2
  tail -n 20 "$STATE_DIR/app.log" >&2 || true
  if is_our_app "$NEW_PID"; then
    kill "$NEW_PID" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  exit 1
fi

echo "Random Quotes $RELEASE is running in $ENVIRONMENT at $URL (pid $NEW_PID)"
set_octopusvariable "AppUrl" "$URL"
