#include "model/fix/scripttext.h"

namespace model::fix::scripttext {

const char* const kRuntime = R"BASH(
IPT4=${CHAINSIGHT_IPTABLES:-iptables}
IPT6=${CHAINSIGHT_IP6TABLES:-ip6tables}
BACKUP_DIR=${CHAINSIGHT_BACKUP_DIR:-/var/backups/chainsight}
UNIT_DIR=${CHAINSIGHT_UNIT_DIR:-/etc/systemd/system}
HELPER_DIR=${CHAINSIGHT_HELPER_DIR:-/usr/local/lib/chainsight}
MODE=apply
FORCE=0
YES=0
INSTALL_UNIT=0
STATE=idle
CHANGES=0
BACKUP4=
BACKUP6=

say() { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# A command in shell syntax, for the log and --dry-run.
show() {
    printf '%s' "$1"
    shift
    if [ "$#" -gt 0 ]; then printf ' %q' "$@"; fi
    printf '\n'
}

usage() {
    cat <<'USAGE'
Usage: bash SCRIPT [options]
  --dry-run              print every command it would run; change nothing
  --apply                make the changes (needed when the script was generated as dry-run by default)
  --undo                 remove exactly the rules this script adds (tagged chainsight:<finding>)
  --yes                  keep the changes without waiting for confirmation
  --rollback-seconds N   roll back unless confirmed within N seconds
  --force                run on another host or Docker major version than the one it was made for
  --install-unit         also install a systemd unit that re-applies the rules at boot
  --help                 show this help
Every change is preceded by a backup (iptables-save, ip6tables-save) under $CHAINSIGHT_BACKUP_DIR
or /var/backups/chainsight. Manual steps are printed, never performed; Docker is never restarted.
USAGE
    printf 'Unconfirmed changes are rolled back after %s seconds by default.\n' "$ROLLBACK_SECONDS"
}

while [ "$#" -gt 0 ]; do
    case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --apply) DRY_RUN=0 ;;
    --undo) MODE=undo ;;
    --yes) YES=1 ;;
    --force) FORCE=1 ;;
    --install-unit) INSTALL_UNIT=1 ;;
    --rollback-seconds)
        [ "$#" -ge 2 ] || die "--rollback-seconds needs a number of seconds"
        ROLLBACK_SECONDS=$2
        shift
        ;;
    --rollback-seconds=*) ROLLBACK_SECONDS=${1#*=} ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        usage >&2
        die "unknown option: $1"
        ;;
    esac
    shift
done
case "$ROLLBACK_SECONDS" in
'' | *[!0-9]* | 0) die "--rollback-seconds needs a whole number of seconds above 0, not '$ROLLBACK_SECONDS'" ;;
esac

# Refuses unless --force.
guard() {
    if [ "$FORCE" -eq 1 ]; then
        warn "$1 (continuing because of --force)"
    else
        die "$1; nothing was changed (--force runs it anyway)"
    fi
}

check_host() {
    local actual
    actual=$(uname -n)
    if [ -z "$EXPECTED_HOST" ]; then
        warn "the snapshot did not record a hostname; the host is not checked"
    elif [ "$actual" != "$EXPECTED_HOST" ]; then
        guard "this script was made for host '$EXPECTED_HOST', but this is '$actual'"
    fi
}

check_docker() {
    local version
    if [ -z "$EXPECTED_DOCKER_MAJOR" ]; then
        warn "the snapshot did not record a Docker version; it is not checked"
    elif ! command -v docker >/dev/null 2>&1; then
        guard "docker is not installed here (the fix was made for Docker $EXPECTED_DOCKER)"
    elif ! version=$(docker version --format '{{.Server.Version}}' 2>/dev/null) || [ -z "$version" ]; then
        guard "cannot read the Docker server version (is dockerd running?)"
    elif [ "${version%%.*}" != "$EXPECTED_DOCKER_MAJOR" ]; then
        guard "this host runs Docker $version, the fix was made for Docker $EXPECTED_DOCKER"
    fi
}

run() {
    if [ "$DRY_RUN" -eq 1 ]; then
        printf 'would run: '
        show "$@"
        return 0
    fi
    printf '+ '
    show "$@"
    "$@"
}

# Saves both rulesets once, before the first change.
take_backup() {
    local stamp
    if [ -n "$BACKUP4" ]; then return 0; fi
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    BACKUP4="$BACKUP_DIR/iptables-$stamp-$$.rules"
    BACKUP6="$BACKUP_DIR/ip6tables-$stamp-$$.rules"
    if [ "$DRY_RUN" -eq 1 ]; then
        say "would save the current rules to $BACKUP4 and $BACKUP6"
        return 0
    fi
    mkdir -p "$BACKUP_DIR"
    (umask 077 && "$IPT4-save" >"$BACKUP4")
    if command -v "$IPT6-save" >/dev/null 2>&1; then
        (umask 077 && "$IPT6-save" >"$BACKUP6")
    else
        BACKUP6=
    fi
    STATE=pending
    say "Backup of the current rules: $BACKUP4${BACKUP6:+ and $BACKUP6}"
}

rollback() {
    say "Restoring the rules saved in $BACKUP4${BACKUP6:+ and $BACKUP6}"
    "$IPT4-restore" <"$BACKUP4"
    if [ -n "$BACKUP6" ]; then "$IPT6-restore" <"$BACKUP6"; fi
    STATE=rolled-back
}

# Whatever ends the script (an error, Ctrl-C, a lost SSH session) while changes are unconfirmed undoes them.
on_exit() {
    local status=$?
    if [ "$STATE" = pending ]; then
        warn "the changes were not confirmed; rolling back"
        if ! rollback; then
            warn "ROLLBACK FAILED: restore by hand with: $IPT4-restore < $BACKUP4"
        fi
        if [ "$status" -eq 0 ]; then status=3; fi
    fi
    exit "$status"
}
trap on_exit EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

need_chain() {
    if ! "$1" -w -t "$2" -S "$3" >/dev/null 2>&1; then
        die "chain $3 is missing from the $2 table ($1); is Docker running? Nothing was changed"
    fi
}

# ensure_rule PROGRAM TABLE CHAIN POSITION|append RULE...: adds the rule unless -C finds it.
ensure_rule() {
    local ipt=$1 table=$2 chain=$3 where=$4
    shift 4
    if "$ipt" -w -t "$table" -C "$chain" "$@" >/dev/null 2>&1; then
        say "already in place: $table $chain $(show "$@")"
        return 0
    fi
    take_backup
    if [ "$where" = append ]; then
        run "$ipt" -w -t "$table" -A "$chain" "$@"
    else
        run "$ipt" -w -t "$table" -I "$chain" "$where" "$@"
    fi
    CHANGES=$((CHANGES + 1))
}

# remove_rule PROGRAM TABLE CHAIN RULE...: deletes the tagged rule when -C finds it.
remove_rule() {
    local ipt=$1 table=$2 chain=$3
    shift 3
    if ! "$ipt" -w -t "$table" -C "$chain" "$@" >/dev/null 2>&1; then
        say "not present: $table $chain $(show "$@")"
        return 0
    fi
    take_backup
    run "$ipt" -w -t "$table" -D "$chain" "$@"
    CHANGES=$((CHANGES + 1))
}

confirm_changes() {
    local answer=""
    if [ "$DRY_RUN" -eq 1 ] || [ "$CHANGES" -eq 0 ]; then return 0; fi
    if [ "$YES" -eq 1 ]; then
        STATE=confirmed
        say "Changes kept (--yes)."
        return 0
    fi
    say "Check now that you can still reach this host (open a new SSH session)."
    say "Type yes within $ROLLBACK_SECONDS seconds to keep the changes; anything else, or no answer, rolls them back."
    if [ -t 0 ]; then
        read -r -t "$ROLLBACK_SECONDS" answer || answer=""
    elif (: </dev/tty) 2>/dev/null; then
        read -r -t "$ROLLBACK_SECONDS" answer </dev/tty || answer=""
    else
        warn "no terminal to ask on (--yes keeps the changes without asking)"
    fi
    case "$answer" in
    y | Y | yes | Yes | YES)
        STATE=confirmed
        say "Changes kept."
        ;;
    *)
        rollback
        warn "not confirmed: the changes were rolled back"
        exit 3
        ;;
    esac
}

install_unit() {
    local name=$1 body=$2
    local helper="$HELPER_DIR/$name.sh" unit="$UNIT_DIR/$name.service"
    if [ "$DRY_RUN" -eq 1 ]; then
        say "would write $helper and $unit, and enable $name.service"
        return 0
    fi
    mkdir -p "$HELPER_DIR" "$UNIT_DIR"
    printf '%s\n' "$body" >"$helper"
    chmod 0755 "$helper"
    printf '%s\n' "[Unit]" "Description=Chainsight fix $name: re-apply its firewall rules after Docker starts" \
        "After=docker.service" "Wants=docker.service" "" "[Service]" "Type=oneshot" "RemainAfterExit=yes" \
        "ExecStart=/bin/bash $helper" "" "[Install]" "WantedBy=multi-user.target" >"$unit"
    if command -v systemctl >/dev/null 2>&1; then
        systemctl daemon-reload
        systemctl enable "$name.service"
    fi
    say "Installed $unit: it re-applies the rules at boot, after docker.service."
}

remove_unit() {
    local name=$1
    local helper="$HELPER_DIR/$name.sh" unit="$UNIT_DIR/$name.service"
    if [ ! -e "$unit" ] && [ ! -e "$helper" ]; then return 0; fi
    if [ "$DRY_RUN" -eq 1 ]; then
        say "would disable $name.service and remove $unit and $helper"
        return 0
    fi
    if command -v systemctl >/dev/null 2>&1; then systemctl disable "$name.service" || true; fi
    rm -f "$unit" "$helper"
    if command -v systemctl >/dev/null 2>&1; then systemctl daemon-reload || true; fi
    say "Removed $unit and $helper."
}
)BASH";

const char* const kMain = R"BASH(
if [ "$(id -u)" -ne 0 ]; then die "run this as root (iptables needs it)"; fi
check_host
check_docker
if [ "$DRY_RUN" -eq 1 ]; then say "Dry run: nothing is changed."; fi
if [ "$MODE" = undo ]; then
    undo_all
    confirm_changes
    remove_units
    if [ "$DRY_RUN" -eq 1 ]; then say "Dry run finished: $CHANGES rule(s) would be removed."; else say "Undo finished: $CHANGES rule(s) removed."; fi
else
    preflight
    apply_all
    if [ "$CHANGES" -eq 0 ]; then say "Nothing to change: every rule is already in place."; fi
    confirm_changes
    if [ "$INSTALL_UNIT" -eq 1 ]; then install_units; else persistence_note; fi
    if [ "$DRY_RUN" -eq 1 ]; then say "Dry run finished: $CHANGES rule(s) would be added."; else say "Apply finished: $CHANGES rule(s) added."; fi
    print_manual_steps
fi
)BASH";

const char* const kUnitHelper = R"BASH(set -euo pipefail
add() {
    local ipt=$1 table=$2 chain=$3 where=$4
    shift 4
    if "$ipt" -w -t "$table" -C "$chain" "$@" 2>/dev/null; then return 0; fi
    if [ "$where" = append ]; then
        "$ipt" -w -t "$table" -A "$chain" "$@"
    else
        "$ipt" -w -t "$table" -I "$chain" "$where" "$@"
    fi
}
)BASH";

} // namespace model::fix::scripttext
