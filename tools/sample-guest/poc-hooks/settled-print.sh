#!/bin/sh
# sourced by dracut-initqueue after every udev settle until boot can go on
if [ ! -e /tmp/cvmfde-poc-settled ]; then
  : > /tmp/cvmfde-poc-settled
  {
    echo "CVMFDE-HOOK: initqueue/settled first run uptime=$(read -r u _ </proc/uptime; echo "$u")"
    echo "CVMFDE-HOOK:   block: $(ls /sys/class/block | tr '\n' ' ')"
    echo "CVMFDE-HOOK:   net: $(ls /sys/class/net | tr '\n' ' ')"
    ip -4 -o addr show 2>/dev/null | sed 's/^/CVMFDE-HOOK:   /'
    echo "CVMFDE-HOOK:   cryptsetup: $(command -v cryptsetup) $(cryptsetup --version 2>&1)"
  } >/dev/console 2>&1
fi
