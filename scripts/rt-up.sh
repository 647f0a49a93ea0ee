#!/usr/bin/env bash
# rt-up.sh - install Request Tracker 5 (Debian bookworm packages, SQLite backend) and start its
# standalone server on 127.0.0.1:$RT_PORT, non-interactively, for the `rt` contract tests.
#
# Needs root and Debian's package archive (about 30 s and 225 MB the first time, about 1 s after).
# Idempotent: re-running skips finished steps and reuses a server that already answers.
#
# Inputs (env):  RT_PORT (8085), RT_STATE (/tmp/helpdesk-bridge-rt), RT_CF (ExternalRef),
#                RT_CALLER_CF (CallerNumber), RT_ROOT_PW (password, >= 5 chars), RT_WORKERS (2)
# Outputs:       $RT_STATE/env  - RT_URL, RT_REST2, RT_TOKEN, RT_CF, RT_CALLER_CF, RT_PID (set
#                                 only when this run started the server, so the caller knows
#                                 what to stop)
#                $RT_STATE/{token,rt-server.pid,rt-server.log,apt.log,setup.log}
# Stop:          scripts/rt-up.sh stop   (kills the server this state dir started)
#
# Exit codes: 0 up; 2 cannot install here (not root / no apt / no RT package); 1 other failure.
set -euo pipefail

RT_PORT="${RT_PORT:-8085}"
RT_ROOT_PW="${RT_ROOT_PW:-password}"
RT_STATE="${RT_STATE:-/tmp/helpdesk-bridge-rt}"
RT_WORKERS="${RT_WORKERS:-2}"
RT_CF="${RT_CF:-ExternalRef}"                  # ticket custom field holding the dedup key
RT_CALLER_CF="${RT_CALLER_CF:-CallerNumber}"   # ticket custom field holding the caller's number
LIB=/usr/share/request-tracker5/lib
DB=/var/lib/dbconfig-common/sqlite3/request-tracker5/rtdb
BASE="http://127.0.0.1:${RT_PORT}"
mkdir -p "$RT_STATE"

if [ "${1:-}" = "stop" ]; then
  if [ -s "$RT_STATE/rt-server.pid" ]; then
    pid=$(cat "$RT_STATE/rt-server.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$RT_STATE/rt-server.pid"
  fi
  exit 0
fi

t0=$(date +%s)
cannot() { echo "rt-up: cannot install RT here: $*" >&2; exit 2; }

# 1. packages ---------------------------------------------------------------
if ! dpkg-query -W -f='${Status}' request-tracker5 2>/dev/null | grep -q 'ok installed'; then
  [ "$(id -u)" = 0 ] || cannot "installing needs root"
  command -v apt-get >/dev/null || cannot "no apt-get (RT is installed from Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  # (read the policy into a variable: `apt-cache ... | grep -q` fails under pipefail on SIGPIPE)
  candidate() { apt-cache policy request-tracker5 2>/dev/null | sed -n 's/^ *Candidate: //p'; }
  case "$(candidate)" in [0-9]*) ;; *) apt-get update -qq ;; esac
  case "$(candidate)" in [0-9]*) ;; *) cannot "no request-tracker5 package in the archives" ;; esac
  apt-get install -y -qq --no-install-recommends debconf-utils >/dev/null
  debconf-set-selections <<EOF
request-tracker5 request-tracker5/dbconfig-install boolean true
request-tracker5 request-tracker5/database-type select sqlite3
request-tracker5 request-tracker5/initial-root-password password ${RT_ROOT_PW}
request-tracker5 request-tracker5/rtname string rt.localtest
request-tracker5 request-tracker5/organization string localtest
request-tracker5 request-tracker5/webbaseurl string ${BASE}
request-tracker5 request-tracker5/correspondaddress string rt@localhost
request-tracker5 request-tracker5/commentaddress string rt-comment@localhost
request-tracker5 request-tracker5/handle-siteconfig-permissions boolean true
request-tracker5 request-tracker5/install-cronjobs boolean false
EOF
  # keep maintainer scripts from starting daemons (no MTA daemon wanted)
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  # msmtp-mta satisfies "default-mta | mail-transport-agent" without a daemon (instead of exim4)
  apt-get install -y -qq --no-install-recommends \
      request-tracker5 rt5-db-sqlite rt5-standalone msmtp-mta curl >"$RT_STATE/apt.log" 2>&1 \
    || { tail -40 "$RT_STATE/apt.log" >&2; exit 1; }
fi
[ -s "$DB" ] || { echo "RT database $DB missing (dbconfig-common did not run)" >&2; exit 1; }

# 2. site config: serve at / on loopback, no syslog, outgoing mail to an mbox file (named to
#    load last, so it wins over other local test configs) --------------------------------
cat > /etc/request-tracker5/RT_SiteConfig.d/99-zz-helpdesk-bridge-test.pm <<EOF
Set(\$WebPath, "");
Set(\$WebDomain, "127.0.0.1");
Set(\$WebPort, ${RT_PORT});
Set(\$WebBaseURL, "${BASE}");
Set(\$LogToSyslog, undef);
Set(\$LogToSTDERR, "warning");
Set(\$MailCommand, "mbox");
1;
EOF

# 3. global ticket custom fields + API token (RT's Perl API: tokens cannot be made over REST).
#    Runs every time and makes only what is missing, so a re-run adds a field that a newer
#    version of this script names to an install made by an older one. --------------------------
perl -I"$LIB" -MRT -e '
  RT::LoadConfig(); RT::Init();
  my ($out, @cfnames) = @ARGV;
  for my $cfname (@cfnames) {
    my $cf = RT::CustomField->new(RT->SystemUser);
    $cf->LoadByCols(Name => $cfname, LookupType => "RT::Queue-RT::Ticket", Disabled => 0);
    next if $cf->id;
    my ($ok, $msg) = $cf->Create(Name => $cfname, Type => "FreeformSingle",
                                 LookupType => "RT::Queue-RT::Ticket");
    die "CF create $cfname: $msg\n" unless $ok;
    ($ok, $msg) = $cf->AddToObject(RT::Queue->new(RT->SystemUser));  # id 0 = global
    die "CF apply $cfname: $msg\n" unless $ok;
    print STDERR "created custom field $cfname\n";
  }
  unless (-s $out) {
    my $u = RT::User->new(RT->SystemUser); $u->Load("root");
    my ($id, $msg, $tok) = RT::AuthToken->new(RT->SystemUser)->Create(
        Owner => $u->id, Description => "helpdesk-bridge tests");
    die "token: $msg\n" unless $id;
    open my $fh, ">", $out or die $!; print $fh "$tok\n"; close $fh;
  }' "$RT_STATE/token" "$RT_CF" "$RT_CALLER_CF" 2>>"$RT_STATE/setup.log" \
  || { tail -20 "$RT_STATE/setup.log" >&2; exit 1; }
TOKEN=$(cat "$RT_STATE/token")

# 4. start the server (unless one already answers with our token) ---------------------------
probe() { curl -fsS -o /dev/null "$BASE/REST/2.0/rt" -H "Authorization: token $TOKEN" 2>/dev/null; }
STARTED_PID=""
if ! probe; then
  nohup /usr/share/request-tracker5/libexec/rt-server \
      --host 127.0.0.1 --port "$RT_PORT" --max-workers "$RT_WORKERS" \
      >"$RT_STATE/rt-server.log" 2>&1 &
  STARTED_PID=$!
  echo "$STARTED_PID" > "$RT_STATE/rt-server.pid"
  for _ in $(seq 1 120); do probe && break; sleep 0.5; done
  probe || { echo "RT did not come up" >&2; tail -40 "$RT_STATE/rt-server.log" >&2; exit 1; }
fi

cat > "$RT_STATE/env" <<EOF
RT_URL=$BASE
RT_REST2=$BASE/REST/2.0
RT_TOKEN=$TOKEN
RT_CF=$RT_CF
RT_CALLER_CF=$RT_CALLER_CF
RT_PID=$STARTED_PID
EOF
echo "RT up at $BASE in $(( $(date +%s) - t0 ))s; settings in $RT_STATE/env"
