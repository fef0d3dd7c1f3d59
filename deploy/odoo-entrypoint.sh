#!/bin/sh
# The Odoo image's entrypoint (Dockerfile.odoo), run before the official image's own
# (/entrypoint.sh, given as the first argument). Odoo reads its master password, which guards
# the database manager (create, back up, restore, drop), from its config file alone: this writes
# ODOO_MASTER_PASSWORD into a copy of that file and points ODOO_RC, which Odoo and the official
# entrypoint both read, at the copy. A placeholder is refused. Without the variable the master
# password is empty, which Odoo takes as "refuse every database-manager operation" (Odoo's own
# default would be "admin").
set -eu

password=${ODOO_MASTER_PASSWORD:-}
normalised=$(printf '%s' "$password" | tr '[:upper:]' '[:lower:]' | sed 's/^[[:space:]]*//; s/[[:space:]]*$//')
case "$normalised" in
    change-me | changeme | admin | odoo)
        echo "error: ODOO_MASTER_PASSWORD is still the placeholder '$normalised': set it in .env;" \
            'make one with `openssl rand -hex 32`' >&2
        exit 2
        ;;
esac
if [ "$(printf '%s' "$password" | wc -l)" -ne 0 ]; then
    echo "error: ODOO_MASTER_PASSWORD must be a single line" >&2
    exit 2
fi

base=${ODOO_RC:-/etc/odoo/odoo.conf}
conf=${TMPDIR:-/tmp}/elitaco-odoo.conf
umask 077
# The copy without any admin_passwd of its own, the password first in [options] (added when
# the file has none).
awk '
    /^[ \t]*admin_passwd[ \t]*=/ { next }
    { print }
    /^[ \t]*\[options\][ \t]*$/ && !done { print "admin_passwd = " ENVIRON["ODOO_MASTER_PASSWORD"]; done = 1 }
    END { if (!done) { print "[options]"; print "admin_passwd = " ENVIRON["ODOO_MASTER_PASSWORD"] } }
' "$base" >"$conf"
export ODOO_RC="$conf"
exec "$@"
