#!/usr/bin/env python3
"""Records the kernel cases and replays them, as the GPU machine does.

Usage: record-replay-test.py --record BIN --replay BIN --work DIR
                             [--device NAME] [-- TARGET FLAGS...]

Records every kernel case from one seed (AVILA_TEST_SEED, or a fresh one,
printed) with the target flags into DIR, then checks that
avila-kernel-replay:
  - passes every case, one line each, and exits 0;
  - still passes a case whose expected result is scaled by 1 + tolerance/10,
    and fails it (alone, exit 1) when scaled by 1 + 3 * tolerance: the
    recorded tolerance is the bound, not a loose one;
  - reports a truncated artifact as that case's failure, and refuses a
    folder whose manifest is not JSON (exit 2, the file named).
The perturbations are written here, from the safetensors format itself, so
that the check does not lean on the project's own writer.
"""

import argparse
import json
import os
import random
import shutil
import struct
import subprocess
import sys


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def replay(args, folder, expected_rc):
    result = subprocess.run(
        [args.replay, folder, "--device", args.device],
        capture_output=True,
        text=True,
    )
    print(result.stdout + result.stderr)
    if result.returncode != expected_rc:
        fail(f"replay exited {result.returncode}, expected {expected_rc}")
    return result


def verdicts(stdout):
    """(PASS|FAIL, name, seed) of each case line."""
    lines = []
    for line in stdout.splitlines():
        words = line.split()
        if words and words[0] in ("PASS", "FAIL"):
            lines.append((words[0], words[1], words[2]))
    return lines


def scale_expected(path, factor):
    """Multiplies every value of expected.0 (F32) in the safetensors file."""
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        (length,) = struct.unpack_from("<Q", data, 0)
        header = json.loads(data[8 : 8 + length])
        begin, end = header["expected.0"]["data_offsets"]
        if header["expected.0"]["dtype"] != "F32":
            fail("expected.0 is not F32")
        base = 8 + length
        count = (end - begin) // 4
        values = struct.unpack_from(f"<{count}f", data, base + begin)
        struct.pack_into(
            f"<{count}f", data, base + begin, *[v * factor for v in values]
        )
        f.seek(0)
        f.write(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--record", required=True)
    parser.add_argument("--replay", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--device", default="vulkan")
    parser.add_argument("target_flags", nargs="*")
    args = parser.parse_args()

    seed = os.environ.get("AVILA_TEST_SEED", str(random.getrandbits(32)))
    print(f"AVILA_TEST_SEED={seed}")
    shutil.rmtree(args.work, ignore_errors=True)
    folder = os.path.join(args.work, "cases")
    subprocess.run(
        [args.record, "-o", folder, "--seeds", seed, *args.target_flags],
        check=True,
    )
    with open(os.path.join(folder, "manifest.json")) as f:
        cases = json.load(f)["cases"]

    passed = replay(args, folder, 0)
    names = [(c["name"], f"seed={c['seed']}") for c in cases]
    lines = verdicts(passed.stdout)
    if [(name, seed) for _, name, seed in lines] != names:
        fail("replay did not print one line per recorded case, in order")
    if any(verdict != "PASS" for verdict, _, _ in lines):
        fail("a recorded case failed on replay")

    victim = cases[0]
    tensors = os.path.join(folder, victim["tensors"])
    original = open(tensors, "rb").read()
    scale_expected(tensors, 1 + victim["tolerance"] / 10)
    replay(args, folder, 0)
    with open(tensors, "wb") as f:
        f.write(original)
    scale_expected(tensors, 1 + 3 * victim["tolerance"])
    failing = [
        name for verdict, name, _ in verdicts(replay(args, folder, 1).stdout)
        if verdict == "FAIL"
    ]
    if failing != [victim["name"]]:
        fail(f"expected only {victim['name']} to fail, got {failing}")
    with open(tensors, "wb") as f:
        f.write(original)

    artifact = os.path.join(folder, victim["artifact"])
    with open(artifact, "r+b") as f:
        f.truncate(64)
    truncated = replay(args, folder, 1)
    if victim["artifact"] not in truncated.stdout:
        fail("the truncated artifact's failure does not name it")

    with open(os.path.join(folder, "manifest.json"), "w") as f:
        f.write("{")
    refused = replay(args, folder, 2)
    if "manifest.json is not a JSON object" not in refused.stderr:
        fail("the malformed manifest was not named")
    print("record and replay: pass")


if __name__ == "__main__":
    main()
