#!/usr/bin/env bash
# Sets up what the tests need on this machine, idempotently, and fast when it is all there:
#  - PostgreSQL on 127.0.0.1:5432 (`postgres` without a password from 127.0.0.1, every other user by password),
#    and its server binaries, from which tests and the sandbox start private clusters;
#  - MariaDB on 127.0.0.1:3306 (`root` without a password from 127.0.0.1; other users by password),
#    and its server binaries, for private servers;
#  - Redis on 127.0.0.1:6379;
#  - moto, boto3 and cfn-lint, pinned in scripts/requirements-test.txt, in the project's own .venv/.
# As root with apt-get, it installs what is missing from Debian's packages and starts the servers. Otherwise it
# checks that they answer and says what to install or start by hand.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv="$repo/.venv"
requirements="$repo/scripts/requirements-test.txt"

say() { echo "test-services: $*"; }
fail() { echo "test-services: $*" >&2; exit 1; }

can_install() { [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null 2>&1; }

# The Debian packages that provide each program we need (the binary, then its package).
missing_packages() {
  local packages=()
  compgen -G '/usr/lib/postgresql/*/bin/initdb' > /dev/null || command -v initdb > /dev/null || packages+=(postgresql)
  command -v pg_isready > /dev/null || packages+=(postgresql-client)
  [ -x /usr/sbin/mariadbd ] || command -v mariadbd > /dev/null || packages+=(mariadb-server)
  command -v redis-server > /dev/null || packages+=(redis-server)
  python3 -m venv --help > /dev/null 2>&1 || packages+=(python3-venv)
  echo "${packages[@]}"
}

install_packages() {
  local packages
  packages=$(missing_packages)
  [ -n "$packages" ] || return 0
  if ! can_install; then
    fail "missing: $packages. Install them (Debian/Ubuntu: sudo apt-get install -y $packages), or run this script as root."
  fi
  say "installing $packages from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $packages > /dev/null
}

# --- PostgreSQL ---------------------------------------------------------------------------------------------
postgres_ready() { pg_isready -q -h 127.0.0.1 -p 5432 2> /dev/null; }

setup_postgres() {
  if postgres_ready; then return 0; fi
  can_install || fail "nothing answers on 127.0.0.1:5432. Start PostgreSQL there, with user postgres allowed in from 127.0.0.1 without a password."
  local version
  version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
  if ! pg_lsclusters -h 2> /dev/null | awk '{print $1" "$2}' | grep -qx "$version main"; then
    say "creating PostgreSQL $version cluster main"
    pg_createcluster "$version" main > /dev/null
  fi
  local conf="/etc/postgresql/$version/main"
  # The admin comes in from 127.0.0.1 without a password; every other user must give its own (scram), so a
  # test that a wrong password is refused means something.
  cat > "$conf/pg_hba.conf" <<'HBA'
# Written by scripts/test-services.sh for the project's tests.
local   all   all                      peer
host    all   postgres   127.0.0.1/32  trust
host    all   all        127.0.0.1/32  scram-sha-256
host    all   all        ::1/128       scram-sha-256
HBA
  mkdir -p "$conf/conf.d"
  printf "listen_addresses = '127.0.0.1'\nport = 5432\n" > "$conf/conf.d/test-services.conf"
  say "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
}

# --- MariaDB ------------------------------------------------------------------------------------------------
mariadb_ready() { mariadb-admin --protocol=tcp -h 127.0.0.1 -P 3306 -u root status > /dev/null 2>&1; }

setup_mariadb() {
  if mariadb_ready; then return 0; fi
  can_install || fail "MariaDB does not let root in on 127.0.0.1:3306 without a password. Start MariaDB (or MySQL) there with such an account."
  # Accounts are matched by address: 127.0.0.1 must not be resolved to localhost (root@localhost is socket-only).
  printf '[mysqld]\nbind-address = 127.0.0.1\nport = 3306\nskip-name-resolve\n' > /etc/mysql/mariadb.conf.d/99-test-services.cnf
  if ! mariadb-admin ping > /dev/null 2>&1; then
    say "starting MariaDB"
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
    wait_for "MariaDB" 60 mariadb-admin ping
  else
    # Running already, perhaps without the settings above: restart it with them.
    say "restarting MariaDB with the test settings"
    mariadb-admin shutdown
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
    wait_for "MariaDB" 60 mariadb-admin ping
  fi
  # The socket lets root in as the OS root; the tests come in over TCP.
  mariadb -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;"
  wait_for "MariaDB on 127.0.0.1:3306" 30 mariadb_ready
}

# The database the tests' users are granted privileges on.
configure_mariadb() { mariadb --protocol=tcp -h 127.0.0.1 -P 3306 -u root -e 'CREATE DATABASE IF NOT EXISTS test'; }

# --- Redis --------------------------------------------------------------------------------------------------
redis_ready() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2> /dev/null)" = PONG ]; }

setup_redis() {
  if redis_ready; then return 0; fi
  can_install || fail "nothing answers on 127.0.0.1:6379. Start Redis (7 or newer) there."
  say "starting Redis"
  redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save '' --appendonly no > /dev/null
  wait_for "Redis" 30 redis_ready
}

# --- Python tools -------------------------------------------------------------------------------------------
setup_python() {
  local stamp="$venv/.requirements.sha256" wanted
  wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
  if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2> /dev/null)" = "$wanted" ]; then return 0; fi
  say "installing the Python test tools into .venv (scripts/requirements-test.txt)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-virtualenv -r "$requirements"
  echo "$wanted" > "$stamp"
}

wait_for() {
  local what=$1 seconds=$2
  shift 2
  for _ in $(seq "$((seconds * 5))"); do
    "$@" > /dev/null 2>&1 && return 0
    sleep 0.2
  done
  fail "$what did not answer within $seconds s"
}

started=$(date +%s)
install_packages
setup_postgres
wait_for "PostgreSQL on 127.0.0.1:5432" 60 postgres_ready
setup_mariadb
configure_mariadb
setup_redis
setup_python
say "PostgreSQL, MariaDB, Redis and the Python tools are ready ($(( $(date +%s) - started )) s)"
