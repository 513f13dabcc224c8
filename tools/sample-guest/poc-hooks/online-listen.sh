#!/bin/sh
# PoC: in initqueue/online, listen on guest port 7220 with a static busybox nc, answer one
# host connection (through QEMU hostfwd) and hold the initqueue until it came (max 120 s).
if [ ! -e /tmp/cvmfde-poc-listen ]; then
  : > /tmp/cvmfde-poc-listen
  cvmfde_bb=/usr/lib/cvmfde-poc/busybox
  cvmfde_ip=$(ip -4 -o addr show dev "$1" | { read -r _ _ _ a _; echo "${a%/*}"; })
  echo "CVMFDE-NET: listening on $cvmfde_ip:7220 ($1) uptime=$(read -r u _ </proc/uptime; echo "$u")" >/dev/console
  echo "hello from the initramfs on $1" | "$cvmfde_bb" nc -l -p 7220 >/tmp/cvmfde-poc-recv 2>/dev/console &
  cvmfde_pid=$!
  sleep 2
  {
    kill -0 "$cvmfde_pid" 2>/dev/null && echo "CVMFDE-NET: nc pid $cvmfde_pid alive" || echo "CVMFDE-NET: nc exited"
    while read -r l; do case $l in *:1C34\ *) echo "CVMFDE-NET: tcp  $l" ;; esac; done </proc/net/tcp
    while read -r l; do case $l in *:1C34\ *) echo "CVMFDE-NET: tcp6 $l" ;; esac; done </proc/net/tcp6
  } >/dev/console 2>&1
  cvmfde_i=0
  while [ ! -s /tmp/cvmfde-poc-recv ] && [ "$cvmfde_i" -lt 240 ]; do
    sleep 0.5; cvmfde_i=$((cvmfde_i + 1))
  done
  echo "CVMFDE-NET: received '$(cat /tmp/cvmfde-poc-recv)' uptime=$(read -r u _ </proc/uptime; echo "$u")" >/dev/console
  kill "$cvmfde_pid" 2>/dev/null
fi
