#!/usr/bin/env python3
"""Checks that each pass's lit test can fail: every RUN line of the file that
names the pass is run again with the pass removed, and FileCheck must then
reject the output (while the tool before it still succeeds, so the checks,
not a broken command line, are what fail).

Usage: lit-without-pass.py --path DIR [--path DIR...] FILE:PASS [FILE:PASS...]

PASS is the exact text removed from the RUN line: a flag such as
--avila-fuse-elementwise, or a pipeline element or option such as
{keep-whole-attention}. A listed file without a RUN line containing it is
an error, so a renamed pass cannot silently leave its test unguarded.
"""

import argparse
import os
import re
import subprocess
import sys


def run_lines(path):
    """The RUN commands of `path`, continuation lines joined."""
    commands, pending = [], ""
    with open(path, encoding="utf-8") as source:
        for line in source:
            match = re.search(r"RUN:(.*)$", line)
            if not match:
                continue
            text = match.group(1).strip()
            if text.endswith("\\"):
                pending += text[:-1] + " "
                continue
            commands.append(pending + text)
            pending = ""
    return commands


def without(command, text):
    """`command` with `text` removed, along with a comma that would be left
    dangling in a pass pipeline."""
    start = command.index(text)
    end = start + len(text)
    if end < len(command) and command[end] == ",":
        end += 1
    elif start > 0 and command[start - 1] == ",":
        start -= 1
    return command[:start] + command[end:]


def check(path, pass_text, environment):
    """Messages for each way the test of `pass_text` in `path` cannot fail."""
    name = os.path.basename(path)
    if not os.path.isfile(path):
        return [f"{name}: no such file ({path})"]
    commands = [c for c in run_lines(path) if pass_text in c]
    if not commands:
        return [f"{name}: no RUN line contains '{pass_text}'"]
    problems = []
    for command in commands:
        mutated = without(command, pass_text).replace("%s", path)
        if "%" in mutated.replace("%%", ""):
            problems.append(f"{name}: unsupported substitution in: {command}")
            continue
        producer, separator, checker = mutated.rpartition("| FileCheck")
        if not separator:
            problems.append(f"{name}: RUN line does not end in FileCheck: {command}")
            continue
        produced = subprocess.run(["bash", "-o", "pipefail", "-c", producer],
                                  capture_output=True, env=environment)
        if produced.returncode != 0:
            problems.append(
                f"{name}: without '{pass_text}' the command itself fails "
                f"(exit {produced.returncode}), so FileCheck is never the "
                f"judge: {producer.strip()}\n"
                + produced.stderr.decode(errors="replace")[:2000])
            continue
        verdict = subprocess.run(["bash", "-c", "FileCheck" + checker],
                                 input=produced.stdout, capture_output=True,
                                 env=environment)
        if verdict.returncode == 0:
            problems.append(
                f"{name}: FileCheck passes without '{pass_text}': its checks "
                f"do not test the pass ({command})")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", action="append", default=[],
                        help="a folder to search for avila-opt and FileCheck")
    parser.add_argument("tests", nargs="+", metavar="FILE:PASS")
    arguments = parser.parse_args()
    environment = dict(os.environ)
    environment["PATH"] = os.pathsep.join(
        arguments.path + [environment.get("PATH", "")])
    problems = []
    for test in arguments.tests:
        path, separator, pass_text = test.partition(":")
        if not separator or not pass_text:
            problems.append(f"'{test}' is not FILE:PASS")
            continue
        found = check(path, pass_text, environment)
        if not found:
            print(f"ok: {os.path.basename(path)} fails without '{pass_text}'")
        problems += found
    for problem in problems:
        print("error: " + problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
