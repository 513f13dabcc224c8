#!/bin/sh
# PoC unlock: open the LUKS root by its LUKS UUID with a key file in the initramfs
if [ ! -e /dev/mapper/encroot ]; then
  cvmfde_dev=/dev/disk/by-uuid/@LUKS_UUID@
  if [ -e "$cvmfde_dev" ]; then
    echo "CVMFDE-HOOK: unlocking $cvmfde_dev ($(readlink -f "$cvmfde_dev")) uptime=$(read -r u _ </proc/uptime; echo "$u")" >/dev/console
    if cryptsetup open "$cvmfde_dev" encroot --key-file=/usr/lib/cvmfde-poc/test-key.bin >/dev/console 2>&1; then
      echo "CVMFDE-HOOK: unlocked -> /dev/mapper/encroot uptime=$(read -r u _ </proc/uptime; echo "$u")" >/dev/console
    else
      echo "CVMFDE-HOOK: cryptsetup open failed" >/dev/console
    fi
  fi
fi
