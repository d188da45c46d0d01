# Shared helpers of tools/run and tools/test (sourced, not executed).
# They make sure that PostgreSQL answers, that Odoo 17.0 and its Python
# requirements are installed in a virtual environment outside the repository
# (reused by later runs) and, for the tests, that Chromium is there.
set -euo pipefail

LIVE_CHAT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIVE_CHAT_HOME="${LIVE_CHAT_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/live_chat}"
# Absolute, so that the venv's .pth file and odoo-bin work from any folder.
mkdir -p "$LIVE_CHAT_HOME" && LIVE_CHAT_HOME="$(cd "$LIVE_CHAT_HOME" && pwd)"
VENV="$LIVE_CHAT_HOME/venv"
ODOO_DIR="$LIVE_CHAT_HOME/odoo-17.0"
ODOO_SRC_DEFAULT="https://github.com/odoo/odoo.git"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER_ODOO="${LIVE_CHAT_DB_USER:-odoo}"
PGPASSWORD_ODOO="${LIVE_CHAT_DB_PASSWORD:-odoo}"
export PGHOST PGPORT

say() { printf 'live_chat: %s\n' "$*" >&2; }
die() { printf 'live_chat: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

apt_install() {
    # apt_install PACKAGE... : install Debian packages, once the lists are fresh.
    command -v apt-get >/dev/null || die "missing $*: install them with your system's package manager"
    say "installing $* (apt-get)"
    { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } >/dev/null 2>&1 \
        || die "could not install $* with apt-get: install them and run again"
}

ensure_postgres() {
    if ! command -v pg_isready >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        if ! pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; then
            apt_install postgresql postgresql-client
        fi
    fi
    if ! pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
        say "starting PostgreSQL"
        local version
        version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
        if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
            as_root pg_createcluster "$version" main >/dev/null || die "could not create a PostgreSQL cluster: run pg_createcluster $version main"
        fi
        local cluster
        cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
        as_root pg_ctlcluster $cluster start || die "could not start PostgreSQL ($cluster): start it and run again"
        for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && break; sleep 1; done
        pg_isready -q -h "$PGHOST" -p "$PGPORT" || die "PostgreSQL does not answer on $PGHOST:$PGPORT: start it or set PGHOST/PGPORT"
    fi
    # The role Odoo connects with (Odoo refuses to run as 'postgres').
    if ! PGPASSWORD="$PGPASSWORD_ODOO" psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER_ODOO" -d postgres -tAc 'select 1' >/dev/null 2>&1; then
        say "creating the PostgreSQL role $PGUSER_ODOO"
        as_root runuser -u postgres -- env -u PGHOST psql -q -p "$PGPORT" -d postgres -c \
            "DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PGUSER_ODOO') THEN CREATE ROLE \"$PGUSER_ODOO\" LOGIN CREATEDB PASSWORD '$PGPASSWORD_ODOO'; ELSE ALTER ROLE \"$PGUSER_ODOO\" LOGIN CREATEDB PASSWORD '$PGPASSWORD_ODOO'; END IF; END\$\$;" \
            >/dev/null || die "could not create the PostgreSQL role $PGUSER_ODOO: create it (LOGIN CREATEDB, password $PGPASSWORD_ODOO) and run again"
    fi
}

# odoo_tree_from SRC DEST: put an Odoo source tree at DEST from SRC, which may
# be a source tree, a git repository (with a work tree, or bare; the first of
# HEAD, 17.0, origin/17.0 and then any branch or tag whose tree is Odoo 17.0)
# or a git URL.
odoo_tree_from() {
    local src="$1" dest="$2" gitdir="" ref="" candidate
    if [ -d "$src" ] && [ -f "$src/odoo/release.py" ]; then
        mkdir -p "$dest" && (cd "$src" && tar -c --exclude=./.git .) | tar -x -C "$dest"
        return
    fi
    if [ -d "$src" ]; then
        # A bare repository (its config may even lack core.bare), else a
        # repository whose work tree is SRC itself (not a parent's).
        if git --git-dir="$src" rev-parse --git-dir >/dev/null 2>&1; then
            gitdir="$src"
        elif [ -e "$src/.git" ]; then
            gitdir="$(git -C "$src" rev-parse --absolute-git-dir 2>/dev/null)" || gitdir=""
        fi
        [ -n "$gitdir" ] || die "ODOO_SRC=$src is neither an Odoo source tree nor a git repository: set ODOO_SRC to an Odoo 17.0 source tree or git URL"
        for candidate in HEAD 17.0 origin/17.0 \
            $(git --git-dir="$gitdir" for-each-ref --format='%(refname)' refs/heads refs/remotes refs/tags 2>/dev/null); do
            if git --git-dir="$gitdir" show "$candidate:odoo/release.py" 2>/dev/null | grep -q "version_info = (17, 0"; then
                ref="$candidate"; break
            fi
        done
        [ -n "$ref" ] || die "ODOO_SRC=$src is a git repository without an Odoo 17.0 tree on any branch: set ODOO_SRC to an Odoo 17.0 source tree or git URL"
        say "taking Odoo from $ref of $gitdir"
        mkdir -p "$dest" && git --git-dir="$gitdir" archive --format=tar "$ref" | tar -x -C "$dest"
        return
    fi
    # A URL: its 17.0 branch, shallow; else the whole repository (bare, next
    # to DEST), searched as above.
    if git clone -q --depth 1 --branch 17.0 "$src" "$dest" 2>/dev/null; then
        rm -rf "$dest/.git"
        return
    fi
    rm -rf "$dest" "$dest.git"
    git clone -q --bare "$src" "$dest.git" \
        || { rm -rf "$dest.git"; die "cannot get Odoo 17.0 from $src: set ODOO_SRC to an Odoo 17.0 source tree or git URL"; }
    odoo_tree_from "$dest.git" "$dest"
    rm -rf "$dest.git"
}

# ensure_odoo: each step is checked on its own and redone when missing or
# incomplete, so that a run interrupted anywhere is finished by the next one.
odoo_ready() {
    [ -f "$LIVE_CHAT_HOME/.odoo-ready" ] && [ -x "$VENV/bin/python" ] && [ -f "$LIVE_CHAT_HOME/odoo-bin" ] \
        && "$VENV/bin/python" -c 'import odoo, geoip2, websocket' 2>/dev/null \
        && "$VENV/bin/python" -c 'import gevent.monkey; gevent.monkey.patch_all()' 2>/dev/null
}

ensure_odoo() {
    odoo_ready && return 0
    # One set-up at a time per LIVE_CHAT_HOME (two test runs started together
    # would otherwise copy into the same folders); the lock's file descriptor
    # is closed when the set-up ends, so Odoo does not hold it.
    if command -v flock >/dev/null; then
        { flock 9; odoo_ready || install_odoo; } 9>"$LIVE_CHAT_HOME/.lock"
    else
        install_odoo
    fi
}

install_odoo() {
    local ready="$LIVE_CHAT_HOME/.odoo-ready"
    rm -f "$ready"
    # 1. Odoo's source, copied to a temporary folder and moved in place only
    #    when complete.
    if [ ! -f "$ODOO_DIR/odoo/release.py" ]; then
        local src="${ODOO_SRC:-$ODOO_SRC_DEFAULT}"
        say "installing Odoo 17.0 from $src into $ODOO_DIR"
        rm -rf "$ODOO_DIR.tmp" "$ODOO_DIR"
        odoo_tree_from "$src" "$ODOO_DIR.tmp"
        grep -q "version_info = (17, 0" "$ODOO_DIR.tmp/odoo/release.py" 2>/dev/null \
            || { rm -rf "$ODOO_DIR.tmp"; die "ODOO_SRC=$src is not Odoo 17.0: set ODOO_SRC to an Odoo 17.0 source tree or git URL"; }
        mv "$ODOO_DIR.tmp" "$ODOO_DIR"
    fi
    # 2. The virtual environment (made again when a previous run left it broken).
    if [ -d "$VENV" ] && ! "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
        rm -rf "$VENV"
    fi
    if ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
        rm -rf "$VENV"
        python3 -m venv "$VENV" || die "python3 -m venv failed: install python3-venv (Python 3.10 or 3.11)"
    fi
    # 3. Odoo's requirements: pip finishes what an interrupted run started.
    command -v pg_config >/dev/null || apt_install libpq-dev
    say "installing Odoo's Python requirements into $VENV"
    # python-ldap is only for auth_ldap and needs LDAP headers: left out.
    grep -v -i '^python-ldap' "$ODOO_DIR/requirements.txt" > "$LIVE_CHAT_HOME/requirements.txt"
    local pip_log="$LIVE_CHAT_HOME/pip.log"
    # zope.event/zope.interface: gevent (Odoo's websocket process, --workers)
    # finds them through the venv's old pkg_resources, which does not know the
    # newer releases' dist-info names ("DistributionNotFound: zope.interface").
    if ! "$VENV/bin/pip" install -q --disable-pip-version-check -r "$LIVE_CHAT_HOME/requirements.txt" websocket-client \
        "zope.event<5" "zope.interface<7" >"$pip_log" 2>&1; then
        grep -v "is ignored: it is neither" "$pip_log" >&2 || true
        die "pip could not install Odoo's requirements: see the lines above ($pip_log)"
    fi
    # 4. Make `odoo` importable from the venv without copying the tree again.
    local site
    site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    echo "$ODOO_DIR" > "$site/odoo-17.0.pth"
    cp "$ODOO_DIR/odoo-bin" "$LIVE_CHAT_HOME/odoo-bin.tmp" && mv "$LIVE_CHAT_HOME/odoo-bin.tmp" "$LIVE_CHAT_HOME/odoo-bin"
    "$VENV/bin/python" -c 'import odoo, geoip2, websocket' || die "odoo is still not importable from $VENV"
    "$VENV/bin/python" -c 'import gevent.monkey; gevent.monkey.patch_all()' \
        || die "gevent (Odoo's websocket process) does not load in $VENV: see the lines above"
    touch "$ready"
}

LINT_VENV="$LIVE_CHAT_HOME/lint-venv"
LINT_NODE="$LIVE_CHAT_HOME/lint-node"

# ensure_lint_tools: pre-commit, ruff and pylint-odoo from pip in their own
# venv, eslint from npm, at the versions pinned in tools/; redone when the
# pins change or a previous install was interrupted.
ensure_lint_tools() {
    local pins="$LIVE_CHAT_ROOT/tools/lint-requirements.txt" package="$LIVE_CHAT_ROOT/tools/lint-package.json"
    if ! cmp -s "$pins" "$LINT_VENV/.installed" 2>/dev/null; then
        say "installing the Python linters into $LINT_VENV"

        if ! "$LINT_VENV/bin/python" -m pip --version >/dev/null 2>&1; then
            rm -rf "$LINT_VENV"
            python3 -m venv "$LINT_VENV" || die "python3 -m venv failed: install python3-venv"
        fi
        "$LINT_VENV/bin/pip" install -q --disable-pip-version-check -r "$pins" >"$LIVE_CHAT_HOME/lint-pip.log" 2>&1 \
            || { grep -v "is ignored: it is neither" "$LIVE_CHAT_HOME/lint-pip.log" >&2 || true; die "pip could not install the linters ($LIVE_CHAT_HOME/lint-pip.log)"; }
        cp "$pins" "$LINT_VENV/.installed"
    fi
    if ! cmp -s "$package" "$LINT_NODE/.installed" 2>/dev/null || [ ! -x "$LINT_NODE/node_modules/.bin/eslint" ]; then
        command -v npm >/dev/null || apt_install npm
        say "installing eslint into $LINT_NODE"
        mkdir -p "$LINT_NODE" && cp "$package" "$LINT_NODE/package.json"
        (cd "$LINT_NODE" && npm install --no-audit --no-fund --silent >"$LIVE_CHAT_HOME/lint-npm.log" 2>&1) \
            || { cat "$LIVE_CHAT_HOME/lint-npm.log" >&2; die "npm could not install eslint ($LIVE_CHAT_HOME/lint-npm.log)"; }
        cp "$package" "$LINT_NODE/.installed"
    fi
}

ensure_chromium() {
    local bin
    for bin in google-chrome chromium chromium-browser google-chrome-stable; do
        command -v "$bin" >/dev/null && return 0
    done
    apt_install chromium
    command -v chromium >/dev/null || die "Chromium is missing: install the chromium package and run again"
}

# addons_path: a folder where this checkout is reachable as `live_chat`,
# whatever the checkout's own folder is called, then the bridge addons of
# bridges/ (e.g. live_chat_crm: auto-installed where its other dependency is).
addons_path() {
    local links="$LIVE_CHAT_HOME/addons-$(printf '%s' "$LIVE_CHAT_ROOT" | md5sum | cut -c1-8)"
    mkdir -p "$links"
    ln -sfn "$LIVE_CHAT_ROOT" "$links/live_chat"
    printf '%s,%s,%s,%s' "$links" "$LIVE_CHAT_ROOT/bridges" "$ODOO_DIR/addons" "$ODOO_DIR/odoo/addons"
}

odoo_bin() {
    "$VENV/bin/python" "$LIVE_CHAT_HOME/odoo-bin" \
        --addons-path="$(addons_path)" \
        --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER_ODOO" --db_password="$PGPASSWORD_ODOO" \
        "$@"
}
