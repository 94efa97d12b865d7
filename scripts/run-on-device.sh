#!/usr/bin/env bash
# Runs a command of the device bundle (scripts/device-bundle puts this file
# in it) on the device machine, from the repository root there:
#
#   .devbin/run-on-device.sh avila-check --artifact ... --device vulkan
#
# Unpacks the Vulkan loader debs of .gl/ (the device README's recipe) into
# /, the bundle's libraries into a temporary folder on LD_LIBRARY_PATH, puts
# the bundle on PATH, points Vulkan at the NVIDIA driver and the caches at
# writable temporary folders, then runs the command and returns its status.
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 <command> [arguments...]" >&2; exit 2; }
bundle=$(cd "$(dirname "$0")" && pwd)

if compgen -G ".gl/*.deb" >/dev/null; then
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
else
  echo "run-on-device: no .gl/*.deb here: no Vulkan loader unpacked" \
    "(carry .gl for --device vulkan)" >&2
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/lib" "$scratch/run" "$scratch/cache"
chmod 700 "$scratch/run"
tar -xJf "$bundle/libs.tar.xz" -C "$scratch/lib"
export LD_LIBRARY_PATH="$scratch/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PATH="$bundle:$PATH"
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$nvidia_icd" ]; then
  export VK_DRIVER_FILES=$nvidia_icd
fi
export XDG_RUNTIME_DIR="$scratch/run" XDG_CACHE_HOME="$scratch/cache"
"$@"
