#!/usr/bin/env python3
"""Turns callgrind profiles of a native AOT purrd into the method order file the AOT compiler reads (--order).

Usage: aot-method-order.py BINARY_DBG LOAD_BASE PROFILE [PROFILE...] > AotMethodOrder.txt

Each PROFILE is a callgrind file recorded with --dump-instr=yes (one per phase: the start and first hello, then a
first conversation). Every executed instruction address inside the binary's managed code is mapped to the method
that contains it (the symbols of BINARY_DBG); methods are written in the order of the profiles, each once. Callgrind
writes addresses in an object it could not name (purrd's managed code, for valgrind 3.19) as absolute addresses, so
LOAD_BASE (hex, where the binary was mapped) is subtracted from those.
"""
import bisect
import re
import subprocess
import sys


def symbols(dbg):
    """(address, name) of every code symbol, sorted; and the managed code section's bounds."""
    sections = subprocess.run(["readelf", "-SW", dbg], capture_output=True, text=True, check=True).stdout
    match = re.search(r"__managedcode\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", sections)
    if not match:
        sys.exit(f"{dbg}: no __managedcode section (not a native AOT binary?)")
    start, size = int(match[1], 16), int(match[2], 16)
    found = []
    for line in subprocess.run(["nm", "-n", "--defined-only", dbg], capture_output=True, text=True, check=True).stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            found.append((int(parts[0], 16), parts[2]))
    return found, start, start + size


def executed(profile, base):
    """Executed instruction addresses (relative to the binary), in the order the profile lists them."""
    names, current, last, addresses = {}, None, 0, []
    for line in open(profile, encoding="utf-8", errors="replace"):
        match = re.match(r"(c?)ob=\((\d+)\)(?: (.*))?", line.strip())
        if match:
            if match[3]:
                names[match[2]] = match[3]
            if not match[1]:
                current = names.get(match[2])
            continue
        if current is None or line.startswith(("fn=", "cfn=", "fl=", "fi=", "fe=", "calls=")):
            continue
        token = line.split(" ", 1)[0]
        if token.startswith("0x"):
            last = int(token, 16)
        elif token[:1] in "+-" and token[1:].isdigit():
            last += int(token)
        elif token != "*":
            continue
        if current == "???":
            addresses.append(last - base)
        elif current.endswith("/purrd"):
            addresses.append(last)
    return addresses


def main():
    dbg, base, profiles = sys.argv[1], int(sys.argv[2], 16), sys.argv[3:]
    code, start, end = symbols(dbg)
    starts = [address for address, _ in code]
    seen, order = set(), []
    for profile in profiles:
        for address in executed(profile, base):
            if not start <= address < end:
                continue
            index = bisect.bisect_right(starts, address) - 1
            name = code[index][1]
            if name not in seen:
                seen.add(name)
                order.append(name)
    if len(order) < 1000:
        sys.exit(f"only {len(order)} methods in the profiles: the run did not record purrd's managed code")
    sys.stdout.write("\n".join(order) + "\n")


main()
