"""Profile the local import with py-spy: the server and the upload client, side by side.

    python bench/profile_import.py [--jobs-off] [--count N] [--out DIR]

Starts the embedded default server, runs ``auroravault upload`` of the generated library
and records both processes with ``py-spy record --format raw`` (folded stacks) for the
duration of the upload, then prints the functions with the most samples (self and total).
Needs ``py-spy`` (pip install py-spy). ``--jobs-off`` disables processing, to see what the
upload path alone costs.
"""

from __future__ import annotations

import argparse
import collections
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import INPUTS, Server, bench_env, photo_library, register


def top(folded: Path, n: int = 25) -> str:
    own: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    samples = 0
    for line in folded.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        weight = int(count)
        samples += weight
        own[frames[-1]] += weight
        for frame in set(frames):
            total[frame] += weight
    lines = [f"{samples} samples", "-- self --"]
    lines += [f"{c / samples:6.1%}  {f}" for f, c in own.most_common(n)]
    lines += ["-- total --"] + [f"{c / samples:6.1%}  {f}" for f, c in total.most_common(n)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs-off", action="store_true")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--out", default=str(INPUTS / "profile"))
    args = parser.parse_args()
    src = photo_library(args.count)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    env = {"AURORAVAULT_JOBS__ENABLED": "false"} if args.jobs_off else {}
    with tempfile.TemporaryDirectory(prefix="profile-", dir=INPUTS) as tmp, Server(Path(tmp) / "data", env) as server:
        _, token = register(server.url, f"profile-{secrets.token_hex(3)}@example.com")
        client_env = {**bench_env(), "AURORAVAULT_SERVER_URL": server.url, "AURORAVAULT_TOKEN": token}
        cmd = [sys.executable, "-m", "auroravault", "upload", str(src), "--state", f"{tmp}/state.sqlite", "-q"]
        started = time.perf_counter()
        client = subprocess.Popen(cmd, env=client_env, stdout=subprocess.DEVNULL)
        spies = [
            subprocess.Popen(
                [
                    "py-spy",
                    "record",
                    "--nonblocking",
                    "--threads",
                    "-r",
                    "200",
                    "-f",
                    "raw",
                    "-p",
                    str(pid),
                    "-o",
                    str(out / f"{name}.folded"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for name, pid in (("server", server.pid), ("client", client.pid))
        ]
        client.wait()
        elapsed = time.perf_counter() - started
        spies[0].send_signal(2)  # SIGINT: py-spy writes what it has
        for spy in spies:
            spy.wait(timeout=60)
    print(f"upload took {elapsed:.1f} s ({'jobs off' if args.jobs_off else 'jobs on'})")
    for name in ("server", "client"):
        print(f"\n===== {name} =====")
        print(top(out / f"{name}.folded"))


if __name__ == "__main__":
    main()
