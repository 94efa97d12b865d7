#!/usr/bin/env bash
# Validates every SPIR-V module of a Vulkan artifact with spirv-val for
# Vulkan 1.3, the version the runtime asks of a device: a module a driver
# would have to reject fails here instead of somewhere inside the driver.
#
#   validate-spirv.sh <avila-inspect> <model.avila> <folder> [jobs]
#
# The modules go to <folder>/<kernel>.spv (emptied first). spirv-val takes one
# module per run, and an artifact has thousands, so runs go in parallel
# batches; every failing module is named with spirv-val's message.
set -euo pipefail
inspect=$1 artifact=$2 folder=$3 jobs=${4:-2}
rm -rf "$folder"
"$inspect" "$artifact" --dump-kernels "$folder"
modules=$(find "$folder" -name '*.spv' | wc -l)
if [ "$modules" -eq 0 ]; then
  echo "validate-spirv: $artifact has no SPIR-V modules" >&2
  exit 1
fi
# xargs exits non-zero when any batch does.
if ! find "$folder" -name '*.spv' -print0 |
  xargs -0 -P "$jobs" -n 100 sh -c '
    status=0
    for module; do
      if ! message=$(spirv-val --target-env vulkan1.3 "$module" 2>&1); then
        echo "$module: $message"
        status=1
      fi
    done
    exit $status' validate; then
  echo "validate-spirv: modules above fail spirv-val (of $modules)" >&2
  exit 1
fi
echo "validate-spirv: all $modules modules pass spirv-val --target-env vulkan1.3"
