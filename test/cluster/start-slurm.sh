#!/usr/bin/env bash
# Installs and starts a one-host SLURM cluster (slurmctld + slurmd + munge, Debian packages) and
# promtool, for test/cluster/*.test.ts. Run as root on Debian 12 (CI: .ci/run calls it before the
# tests). Idempotent: daemons already running are left alone. Writes their pids to
# /run/carbontracker-slurm.pids; stop them with: test/cluster/start-slurm.sh --stop
# Recipe: ../shared/reference/slurm.md ("A one-host SLURM for tests").
set -euo pipefail
PIDS=/run/carbontracker-slurm.pids

if [ "${1:-}" = "--stop" ]; then
  [ -f "$PIDS" ] && while read -r pid; do kill "$pid" 2>/dev/null || true; done < "$PIDS"
  rm -f "$PIDS"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "start-slurm.sh: needs root (installs packages, starts daemons); cluster tests will be skipped" >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null || ! command -v promtool >/dev/null; then
  apt-get update
  apt-get install -y slurm-wlm munge prometheus
fi

H=$(hostname -s)
mkdir -p /etc/munge /var/log/munge /run/munge /var/lib/munge
[ -f /etc/munge/munge.key ] || dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null
chown -R munge:munge /etc/munge /var/log/munge /run/munge /var/lib/munge
chmod 400 /etc/munge/munge.key
pgrep -x munged >/dev/null || su -s /bin/sh munge -c /usr/sbin/munged

mkdir -p /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /etc/slurm
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=ct
SlurmctldHost=$H
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=$H CPUs=$(nproc) RealMemory=2000 State=UNKNOWN
PartitionName=debug Nodes=$H Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
pgrep -x slurmctld >/dev/null || /usr/sbin/slurmctld
pgrep -x slurmd >/dev/null || /usr/sbin/slurmd

for _ in $(seq 1 30); do
  if sinfo -h -o '%t' 2>/dev/null | grep -Eq '^(idle|mix|alloc)'; then break; fi
  sleep 1
done
{ pgrep -x munged; pgrep -x slurmctld; pgrep -x slurmd; } > "$PIDS" || true
sinfo
