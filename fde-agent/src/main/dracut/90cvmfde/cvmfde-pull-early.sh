#!/bin/sh
# cvm-fde pre-trigger hook, pull mode only (agent.json names a "broker"): queue the agent's start
# as the first initqueue job, so its JVM starts while the network comes up (DHCP runs in the
# ifup job after it), not after. The agent waits for the root device and an address itself and
# fetches its key at network-up: one exchange. In push mode nothing changes: the online hook
# starts the agent once the network is up. /usr/lib/cvm-fde/start-agent is the online hook's own
# script (it starts the agent once; the online hook then finds it started).
if grep -q '"broker" *:' /etc/cvm-fde/agent.json 2> /dev/null; then
    /sbin/initqueue --onetime --unique --name 00-cvmfde-pull /usr/lib/cvm-fde/start-agent pull-early
fi
