#!/usr/bin/env bash
# Starts a one-node Slurm cluster on this machine for the Slurm tests (idempotent):
# installs Debian's slurm-wlm and munge when missing, writes /etc/slurm/slurm.conf for this host
# (CPUs and memory read from the machine, state and spool under /tmp/corpusmill-slurm), and starts
# munged, slurmctld and slurmd. `test/exec/slurm/down.sh` stops them.
set -euo pipefail
SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  echo "slurm: installing slurm-wlm and munge" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi

host=$(hostname -s)
cpus=$(nproc)
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
state=/tmp/corpusmill-slurm
$SUDO mkdir -p "$state/ctld" "$state/d" "$state/log" /etc/slurm /run/munge /var/log/munge /var/lib/munge /etc/munge

conf=$(cat <<CONF
# Written by corpusmill test/exec/slurm/up.sh: a one-node cluster for tests.
ClusterName=corpusmill
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
ReturnToService=2
MaxArraySize=1001
MinJobAge=600
KillWait=5
InactiveLimit=0
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
)
if [[ ! -f /etc/slurm/slurm.conf ]] || [[ "$(cat /etc/slurm/slurm.conf)" != "$conf" ]]; then
  echo "$conf" | $SUDO tee /etc/slurm/slurm.conf >/dev/null
  restart=1
else
  restart=0
fi

if [[ ! -s /etc/munge/munge.key ]]; then
  $SUDO dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
  $SUDO chmod 400 /etc/munge/munge.key
fi
$SUDO chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
if ! pgrep -x munged >/dev/null; then
  $SUDO -u munge /usr/sbin/munged 2>/dev/null || $SUDO /usr/sbin/munged --force
fi

if ((restart)); then
  $SUDO pkill -x slurmctld 2>/dev/null || true
  $SUDO pkill -x slurmd 2>/dev/null || true
  sleep 1
fi
pgrep -x slurmctld >/dev/null || $SUDO slurmctld
pgrep -x slurmd >/dev/null || $SUDO slurmd

for _ in $(seq 1 60); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    echo "slurm: up ($host, $cpus CPUs, ${mem} MB)" >&2
    exit 0
  fi
  # A node left down or drained by an earlier run comes back here.
  scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true
  sleep 1
done
echo "slurm: the node did not become ready; see $state/log/" >&2
sinfo >&2 || true
exit 1
