#!/bin/sh
# cvm-fde emergency hook (sourced by dracut first thing on its emergency path: dracut's
# emergency and rescue services, a failed or timed-out initqueue, die, rd.break): power the
# guest off instead of starting a shell. The command line the image builder writes already
# pins rd.shell=0 rd.emergency=poweroff; this hook keeps the guest shell-free even if it did not.
/usr/lib/cvm-fde/poweroff "dracut entered its emergency path; this initramfs never starts a shell"
