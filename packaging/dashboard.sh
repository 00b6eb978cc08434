#!/bin/sh
# 党建看板 CLI of the installation in @PREFIX@ (written by install.sh): the same commands as
# `python -m dashboard`. Settings come from the environment, then from etc/dashboard.env.
PREFIX='@PREFIX@'
DASHBOARD_ENV_FILE=${DASHBOARD_ENV_FILE:-$PREFIX/etc/dashboard.env}
export DASHBOARD_ENV_FILE
if [ -r "$DASHBOARD_ENV_FILE" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
        case "$line" in '' | '#'*) continue ;; *=*) ;; *) continue ;; esac
        key=${line%%=*}
        case "$key" in '' | [0-9]* | *[!A-Za-z0-9_]*) continue ;; esac
        eval "present=\${$key+set}"
        [ -n "$present" ] || export "$key=${line#*=}"
    done < "$DASHBOARD_ENV_FILE"
fi
PYTHONPATH="$PREFIX/app${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH
# -P: never import a dashboard/ that happens to be in the working directory, only this one.
exec "$PREFIX/venv/bin/python" -P -m dashboard "$@"
