#!/usr/bin/env bash
# Stops the test cluster started by test/exec/slurm/up.sh.
SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
$SUDO pkill -x slurmd 2>/dev/null || true
$SUDO pkill -x slurmctld 2>/dev/null || true
exit 0
