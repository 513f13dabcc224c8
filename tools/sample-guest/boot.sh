#!/usr/bin/env bash
# Boot a guest disk under QEMU (TCG by default) with the serial console in a log file.
#
#   tools/sample-guest/boot.sh DISK [options]
#
# Modes:
#   direct (default)  kernel + initrd are copied out of the disk's boot partition (mtools),
#                     so exactly what is in the image boots; the command line is the
#                     `linux` line of grub/grub.cfg on that partition unless --append.
#   --uefi            boot the disk through OVMF + EFI/BOOT/BOOTX64.EFI (grub).
#
# Options:
#   --kernel FILE     use this kernel instead of the one in the image
#   --initrd FILE     use this initramfs instead of the one in the image
#   --append "ARGS"   kernel command line (direct mode)
#   --append-extra "ARGS"  add ARGS to the command line (the image's, or --append's)
#   --hostfwd P:GP    forward 127.0.0.1:P on the host to guest port GP (repeatable)
#   --no-net          no network device at all (-nic none): a host that cut the network
#   --timeout S       kill QEMU after S seconds (default 300)
#   --log FILE        serial console log (default: stdout)
#   --expect TEXT     after QEMU exits, require TEXT in the log (exit 3 if missing)
#   --stop-on TEXT    stop QEMU as soon as TEXT appears in the log (needs --log); counts as
#                     the guest having stopped (e.g. a guest that never powers itself off)
#   --arch A          x86_64 (qemu-system-x86_64 -M q35) or arm64 (qemu-system-aarch64 -M virt
#                     -cpu max, direct kernel boot only); default: the kernel's (arm64 when the
#                     kernel is a gzip'd or plain arm64 Image)
#   --accel A         tcg (default) or kvm
#   --mem MIB         guest memory (default 1024)
#   --writable        write to DISK (default: -snapshot, the image is left untouched)
#   --uefi            UEFI boot via OVMF and the image's grub
#   --tpm DIR         a TPM 2.0 for the guest (implies --uefi): swtpm on a copy of the TPM state in
#                     DIR (swtpm_setup's; an empty DIR gives a fresh TPM), tpm-tis; the firmware
#                     measures the boot into it and hands the kernel its event log; DIR is not changed
#   --qemu-arg ARG    extra QEMU argument (repeatable), e.g. a filter-dump object
#
# Exit status: 0 guest powered off (or rebooted: -no-reboot, or --stop-on text seen) [and TEXT found];
#              124 timeout hit; 3 TEXT missing; 2 usage; 1 other error.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin MTOOLS_SKIP_CHECK=1

die() { printf 'boot.sh: error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,37p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

DISK="" KERNEL="" INITRD="" APPEND="" APPEND_SET=0 EXTRA_ARGS="" STOP_ON="" TIMEOUT=300 LOG="" EXPECT="" ACCEL=tcg
MEM=1024 SNAPSHOT=1 UEFI=0 ARCH="" NONET=0 TPM_STATE="" FWDS=() EXTRA=()
while (($#)); do
  case $1 in
    --kernel) KERNEL=${2:?}; shift 2 ;;
    --initrd) INITRD=${2:?}; shift 2 ;;
    --append) APPEND=${2?}; APPEND_SET=1; shift 2 ;;
    --append-extra) EXTRA_ARGS=${2?}; shift 2 ;;
    --stop-on) STOP_ON=${2:?}; shift 2 ;;
    --hostfwd) [[ ${2:-} =~ ^[0-9]+:[0-9]+$ ]] || usage; FWDS+=("$2"); shift 2 ;;
    --no-net) NONET=1; shift ;;
    --timeout) [[ ${2:-} =~ ^[0-9]+$ ]] || usage; TIMEOUT=$2; shift 2 ;;
    --log) LOG=${2:?}; shift 2 ;;
    --expect) EXPECT=${2:?}; shift 2 ;;
    --accel) ACCEL=${2:?}; shift 2 ;;
    --arch) case ${2:-} in x86_64|amd64) ARCH=x86_64 ;; arm64|aarch64) ARCH=arm64 ;; *) usage ;; esac; shift 2 ;;
    --mem) MEM=${2:?}; shift 2 ;;
    --writable) SNAPSHOT=0; shift ;;
    --uefi) UEFI=1; shift ;;
    --tpm) TPM_STATE=${2:?}; UEFI=1; shift 2 ;;
    --qemu-arg) EXTRA+=("${2:?}"); shift 2 ;;
    -h|--help) usage ;;
    -*) echo "boot.sh: unknown option $1" >&2; usage ;;
    *) [[ -z $DISK ]] || usage; DISK=$1; shift ;;
  esac
done
[[ -n $DISK ]] || usage
[[ -f $DISK ]] || die "no such disk image: $DISK"
for t in qemu-img:qemu-utils mcopy:mtools sgdisk:gdisk timeout:coreutils; do
  command -v "${t%%:*}" >/dev/null || die "missing ${t%%:*} (Debian package: ${t#*:})"
done
[[ -n $EXPECT && -z $LOG ]] && die "--expect needs --log FILE"
[[ -n $STOP_ON && -z $LOG ]] && die "--stop-on needs --log FILE"
[[ -n $EXTRA_ARGS && $UEFI == 1 ]] && die "--append-extra works in direct mode only (grub.cfg holds the UEFI command line)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/cvmfde-boot.XXXXXX")
qpid="" tpid=""
trap 'if [[ -n $qpid ]]; then kill "$qpid" 2>/dev/null || true; fi; if [[ -n $tpid ]]; then kill "$tpid" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT

qemu_args=(-accel "$ACCEL" -cpu max -m "$MEM" -smp 1 -display none
  -monitor none -no-reboot -nodefaults
  -drive "file=$DISK,if=virtio,format=$(qemu-img info "$DISK" | sed -n 's/^file format: //p')"
  -device virtio-rng-pci)
((SNAPSHOT)) && qemu_args+=(-snapshot)
if ((NONET)); then
  ((${#FWDS[@]} == 0)) || die "--no-net and --hostfwd exclude each other"
  qemu_args+=(-nic none)
else
  net=user,id=n0
  for f in "${FWDS[@]}"; do net+=",hostfwd=tcp:127.0.0.1:${f%%:*}-:${f#*:}"; done
  # no option ROM (iPXE) on the NIC: nothing boots from the network, with a TPM the firmware loads
  # no driver that the boot's allow-list would have to name (PCR 2 stays the separator only), and
  # the ROM files (Debian package ipxe-qemu) need not be installed (qemu-system-arm does not pull them)
  qemu_args+=(-netdev "$net" -device "virtio-net-pci,netdev=n0,romfile=")
fi
if [[ -n $LOG ]]; then qemu_args+=(-serial "file:$LOG"); : >"$LOG"; else qemu_args+=(-serial stdio); fi

if ((UEFI)); then
  code=/usr/share/OVMF/OVMF_CODE_4M.fd vars=/usr/share/OVMF/OVMF_VARS_4M.fd
  [[ -f $code && -f $vars ]] || die "OVMF firmware missing (Debian package: ovmf)"
  cp "$vars" "$WORK/vars.fd"
  qemu_args+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$code"
              -drive "if=pflash,format=raw,unit=1,file=$WORK/vars.fd")
  if [[ -n $TPM_STATE ]]; then
    command -v swtpm >/dev/null || die "missing swtpm (Debian package: swtpm)"
    [[ -d $TPM_STATE ]] || die "--tpm $TPM_STATE: no such directory"
    # a copy: swtpm locks and writes its state, and each boot starts from the provisioned TPM
    mkdir -m 0700 "$WORK/tpm"; cp -a "$TPM_STATE/." "$WORK/tpm/"
    swtpm socket --tpm2 --tpmstate "dir=$WORK/tpm" --ctrl "type=unixio,path=$WORK/tpm/swtpm.sock" \
      --log "file=$WORK/tpm/swtpm.log,level=1" --terminate &
    tpid=$!
    for _ in $(seq 50); do [[ -S $WORK/tpm/swtpm.sock ]] && break; sleep 0.1; done
    [[ -S $WORK/tpm/swtpm.sock ]] || die "swtpm did not start (log: $(cat "$WORK/tpm/swtpm.log" 2>/dev/null))"
    # shellcheck disable=SC2054  # commas belong to the QEMU options
    qemu_args+=(-chardev "socket,id=chrtpm,path=$WORK/tpm/swtpm.sock" -tpmdev emulator,id=tpm0,chardev=chrtpm
                -device tpm-tis,tpmdev=tpm0)
  fi
else
  # copy the boot partition out of the image and take kernel/initrd/cmdline from it
  qemu-img convert -q -O raw "$DISK" "$WORK/disk.raw"
  bootpart=$(sgdisk -p "$WORK/disk.raw" 2>/dev/null | awk '$1 ~ /^[0-9]+$/ && $6 == "EF00" { print $1; exit }')
  bootpart=${bootpart:-1}
  first=$(sgdisk -i "$bootpart" "$WORK/disk.raw" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')
  [[ -n $first ]] || die "cannot find boot partition $bootpart in $DISK"
  img="$WORK/disk.raw@@$((first * 512))"
  mcopy -n -i "$img" ::/grub/grub.cfg "$WORK/grub.cfg" 2>/dev/null || : >"$WORK/grub.cfg"
  read -r _ kpath kargs < <(grep -m1 -E '^[[:space:]]*linux[[:space:]]' "$WORK/grub.cfg" || echo "linux")
  ipath=$(awk '$1 == "initrd" { print $2; exit }' "$WORK/grub.cfg")
  if [[ -z $KERNEL ]]; then
    [[ -n $kpath ]] || kpath=/$(mdir -b -i "$img" ::/ | sed 's|.*/||' | grep -m1 '^vmlinuz-')
    mcopy -n -i "$img" "::$kpath" "$WORK/vmlinuz" || die "cannot copy $kpath out of the boot partition"
    KERNEL=$WORK/vmlinuz
  fi
  if [[ -z $INITRD ]]; then
    [[ -n $ipath ]] || ipath=/initrd.img-${kpath#*/vmlinuz-}
    mcopy -n -i "$img" "::$ipath" "$WORK/initrd" || die "cannot copy $ipath out of the boot partition"
    INITRD=$WORK/initrd
  fi
  rm -f "$WORK/disk.raw"
  ((APPEND_SET)) || APPEND=$kargs
  [[ -z $EXTRA_ARGS ]] || APPEND+=" $EXTRA_ARGS"
  if [[ -z $ARCH ]]; then   # the kernel's: gzip'd or plain arm64 Image, else x86_64
    magic=$(head -c 2 "$KERNEL" | od -An -tx1 | tr -d ' \n')
    arm=$(dd if="$KERNEL" bs=1 skip=56 count=4 status=none | od -An -tx1 | tr -d ' \n')
    ARCH=x86_64; [[ $magic == 1f8b || $arm == 41524d64 ]] && ARCH=arm64
  fi
  if [[ $ARCH == arm64 && $APPEND != *console=ttyAMA0* ]]; then APPEND+=" console=ttyAMA0,115200"; fi
  [[ $APPEND == *console=* ]] || APPEND+=" console=ttyS0,115200"
  qemu_args+=(-kernel "$KERNEL" -initrd "$INITRD" -append "$APPEND")
fi
ARCH=${ARCH:-x86_64}
if [[ $ARCH == arm64 ]]; then
  ((UEFI == 0)) || die "--arch arm64 boots directly (no --uefi/--tpm)"
  [[ $ACCEL == tcg ]] || die "--arch arm64 runs under TCG only on this x86-64 host"
  QEMU=qemu-system-aarch64; QPKG=qemu-system-arm; qemu_args+=(-machine virt)
else
  QEMU=qemu-system-x86_64; QPKG=qemu-system-x86; qemu_args+=(-machine q35)
fi
command -v "$QEMU" >/dev/null || die "missing $QEMU (Debian package: $QPKG)"

echo "boot.sh: $QEMU ${ACCEL} $( ((UEFI)) && echo "uefi${TPM_STATE:+ + swtpm}" || echo "direct kernel boot") of $DISK," \
     "timeout ${TIMEOUT}s${LOG:+, console -> $LOG}" >&2
((UEFI)) || echo "boot.sh: cmdline: $APPEND" >&2
t0=$(date +%s.%N)
set +e
timeout -k 5 "$TIMEOUT" "$QEMU" "${qemu_args[@]}" "${EXTRA[@]}" </dev/null &
qpid=$!
stopped=0
if [[ -n $STOP_ON ]]; then
  while kill -0 "$qpid" 2>/dev/null; do
    if grep -qF -- "$STOP_ON" "$LOG"; then
      stopped=1
      kill -TERM "$qpid" 2>/dev/null   # timeout passes the signal on to QEMU
      break
    fi
    sleep 1
  done
fi
wait "$qpid"
rc=$?
qpid=""
set -e
secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
if ((stopped)); then
  echo "boot.sh: stopped QEMU after ${secs}s: the log shows: $(grep -m1 -F -- "$STOP_ON" "$LOG" | tr -d '\r')" >&2
  rc=0
fi
case $rc in
  0) ((stopped)) || echo "boot.sh: guest stopped after ${secs}s" >&2 ;;
  124|137) echo "boot.sh: timeout after ${TIMEOUT}s, QEMU killed" >&2; exit 124 ;;
  *) echo "boot.sh: qemu exited with status $rc after ${secs}s" >&2; exit 1 ;;
esac
if [[ -n $EXPECT ]]; then
  grep -qF -- "$EXPECT" "$LOG" || { echo "boot.sh: expected text not in log: $EXPECT" >&2; exit 3; }
  echo "boot.sh: found: $(grep -m1 -F -- "$EXPECT" "$LOG" | tr -d '\r')" >&2
fi
exit 0
