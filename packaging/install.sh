#!/bin/sh
# 党建看板 offline installer: ./install.sh --prefix DIR [--python PYTHON] [--user USER]
#
# Never reaches the network: the venv is made from ./wheelhouse with pip's no-index mode,
# the frontend is prebuilt (no bun, node or npm). Over an existing install (an upgrade) it
# replaces DIR/venv and DIR/app and keeps DIR/data and DIR/etc; the database is migrated
# when the server starts (or run DIR/bin/dashboard migrate).
#
#   DIR/bin/dashboard   the CLI (demo, migrate, serve, doctor, users, import, ...)
#   DIR/etc/dashboard.env  settings (owner-only: may hold the database password)
#   DIR/data            private data: SQLite database, pending uploads, logs (0700)
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
PREFIX=""
PYTHON=python3
OWNER=""

usage() {
    echo "用法 usage: ./install.sh --prefix DIR [--python PYTHON] [--user USER]" >&2
    exit 2
}
die() {
    echo "安装失败 install failed: $*" >&2
    exit 1
}

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] || usage; PREFIX=$2; shift 2 ;;
        --prefix=*) PREFIX=${1#*=}; shift ;;
        --python) [ $# -ge 2 ] || usage; PYTHON=$2; shift 2 ;;
        --python=*) PYTHON=${1#*=}; shift ;;
        --user) [ $# -ge 2 ] || usage; OWNER=$2; shift 2 ;;
        --user=*) OWNER=${1#*=}; shift ;;
        -h|--help) usage ;;
        *) echo "未知参数 unknown option: $1" >&2; usage ;;
    esac
done
[ -n "$PREFIX" ] || usage

# The bundle's target: the same Python minor version and machine as the wheels.
want_py=$(sed -n 's/.*"python": "\([0-9.]*\)".*/\1/p' "$HERE/VERSION")
want_arch=$(sed -n 's/.*"arch": "\([a-z0-9_]*\)".*/\1/p' "$HERE/VERSION")
version=$(sed -n 's/.*"version": "\([^"]*\)".*/\1/p' "$HERE/VERSION")
command -v "$PYTHON" >/dev/null 2>&1 || die "找不到 $PYTHON（需要 Python $want_py）/ $PYTHON not found (Python $want_py needed)"
have_py=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
[ "$have_py" = "$want_py" ] || die "安装包为 Python $want_py 构建，$PYTHON 是 $have_py；用 --python 指定 / built for Python $want_py, $PYTHON is $have_py: pass --python"
have_arch=$(uname -m)
[ "$have_arch" = "$want_arch" ] || die "安装包为 $want_arch 构建，本机是 $have_arch / the bundle is for $want_arch, this machine is $have_arch"
"$PYTHON" -c 'import venv, ensurepip' 2>/dev/null || die "$PYTHON 缺少 venv/ensurepip（Debian/UOS: apt-get install python3-venv）/ $PYTHON lacks venv (apt-get install python3-venv)"

if command -v sha256sum >/dev/null 2>&1; then
    (cd "$HERE" && sha256sum -c --quiet SHA256SUMS) || die "安装包文件已损坏（SHA256SUMS 不符）/ the bundle is damaged (SHA256SUMS)"
fi

mkdir -p "$PREFIX"
PREFIX=$(cd "$PREFIX" && pwd)
echo "安装 installing $version -> $PREFIX"

# The venv at its final path (scripts inside carry it), the old one kept until the new one works.
rm -rf "$PREFIX/venv.old" "$PREFIX/app.old"
[ -d "$PREFIX/venv" ] && mv "$PREFIX/venv" "$PREFIX/venv.old"
restore() {
    rm -rf "$PREFIX/venv"
    [ -d "$PREFIX/venv.old" ] && mv "$PREFIX/venv.old" "$PREFIX/venv"
    die "$1"
}
"$PYTHON" -m venv "$PREFIX/venv" || restore "无法创建 venv / cannot create the venv"
# --isolated and no config file: no index, mirror or find-links of this machine's pip settings.
PIP_CONFIG_FILE=/dev/null "$PREFIX/venv/bin/python" -m pip install --isolated --no-index \
    --find-links "$HERE/wheelhouse" --no-cache-dir --disable-pip-version-check -q \
    -r "$HERE/requirements.txt" || restore "pip 安装失败（见上）/ pip install failed (above)"
rm -rf "$PREFIX/venv.old"

[ -d "$PREFIX/app" ] && mv "$PREFIX/app" "$PREFIX/app.old"
cp -R "$HERE/app" "$PREFIX/app"
rm -rf "$PREFIX/app.old"
# Compiled now, so a service user that cannot write app/ starts as fast as one that can.
"$PREFIX/venv/bin/python" -m compileall -q "$PREFIX/app/dashboard" >/dev/null || true

mkdir -p "$PREFIX/bin" "$PREFIX/etc" "$PREFIX/data"
chmod 700 "$PREFIX/data"
sed "s|@PREFIX@|$PREFIX|g" "$HERE/dashboard.sh" > "$PREFIX/bin/dashboard"
chmod 755 "$PREFIX/bin/dashboard"
if [ ! -f "$PREFIX/etc/dashboard.env" ]; then
    umask 077
    cat > "$PREFIX/etc/dashboard.env" <<ENV
# 党建看板 settings, KEY=VALUE (no quotes), read by bin/dashboard and the systemd unit.
# Owner-only (chmod 600): it may hold the database password. Variables set in the
# environment win over this file. See app/docs/deploy.md.
DASHBOARD_DATA_DIR=$PREFIX/data
# Default: SQLite in the data directory. PostgreSQL:
# DASHBOARD_DB_URL=postgresql+psycopg://dashboard:PASSWORD@127.0.0.1:5432/dashboard
# REDIS_URL=redis://127.0.0.1:6379/0
REFLEX_STATES_WORKDIR=$PREFIX/data/states
REFLEX_TELEMETRY_ENABLED=false
REFLEX_CHECK_LATEST_VERSION=false
ENV
    umask 022
fi
if [ -n "$OWNER" ]; then
    chown -R "$OWNER" "$PREFIX/data" "$PREFIX/app" "$PREFIX/etc/dashboard.env" || die "chown $OWNER"
fi
echo "完成 done. $PREFIX/bin/dashboard demo   # 试用：加载示例数据 / a trial with the demo data"
echo "          $PREFIX/bin/dashboard serve --port 3000"
echo "          $PREFIX/bin/dashboard doctor"
