#!/bin/sh
# cvm-fde: the only way the initramfs ends when the root cannot be unlocked. Installed as
# /usr/lib/cvm-fde/poweroff and run (not sourced) with the reason as its one argument by the
# settled and timeout hooks (the agent failed, crashed, vanished or never started), by the
# emergency hook (any path into dracut's emergency or rescue mode) and by the drop-in that
# replaces systemd's debug-shell.service. It says why on the console, then powers the guest
# off; it never returns and never starts a shell, so a host that cuts the network gets a
# powered-off guest, not a root shell in a guest whose measurements still match.
# In turn: systemd's immediate power-off (systemctl --force --force: the reboot(2) call, no
# unit is stopped; nothing is mounted or open yet), the classic poweroff -f (an initramfs
# without systemd), the kernel's SysRq 'o' (always allowed through /proc/sysrq-trigger); if
# all of them fail, it waits forever: a stopped guest, still no shell.
cvmfde_why=${1:-the root cannot be unlocked}
echo "cvm-fde: ROOT STAYS LOCKED: $cvmfde_why; powering off (no shell)" > /dev/console 2> /dev/null
# the serial console drains asynchronously; give the line time to leave before the power goes
sleep 2 2> /dev/null
systemctl --force --force poweroff > /dev/null 2>&1
poweroff -f > /dev/null 2>&1
echo o > /proc/sysrq-trigger 2> /dev/null
while :; do
    sleep 3600 2> /dev/null
done
