"""The plain-HTTP baseline of the local import: nginx receiving the same files by HTTP PUT.

    python bench/nginx_put.py FOLDER [--connections 4]

``cp -r`` measures the disk; this measures what the fastest plain HTTP receiver people use
does with the same files over loopback: Debian's nginx (``apt-get install nginx``, which has
the DAV module) with ``dav_methods PUT``, started on 127.0.0.1 with its own configuration in a
temporary folder and stopped at the end, fed by ``curl`` with the same number of parallel
connections as ``auroravault upload`` uses. nginx neither hashes nor fsyncs, so it is timed
alone and followed by ``sync`` (our server fsyncs every photo before answering), like ``cp``.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CONFIG = """\
{user}worker_processes auto;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    client_max_body_size 0;
    client_body_buffer_size 1m;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{
            dav_methods PUT;
            create_full_put_path on;
            dav_access user:rw;
        }}
    }}
}}
"""


def available() -> str | None:
    """The nginx binary, or None (the benchmark then says so instead of a number)."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def nginx(root: Path) -> Iterator[str]:
    """nginx on 127.0.0.1 writing PUT bodies under ``root``; yields its base URL."""
    binary = available()
    if binary is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx)")
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nginx-", dir=root.parent) as tmp:
        port = _free_port()
        conf = Path(tmp) / "nginx.conf"
        # Started by root, nginx's workers would run as nobody and could not write here: keep them ours.
        user = f"user {pwd.getpwuid(os.getuid()).pw_name};\n" if os.getuid() == 0 else ""
        conf.write_text(CONFIG.format(user=user, tmp=tmp, port=port, root=root))
        proc = subprocess.Popen(
            [binary, "-p", tmp, "-c", str(conf), "-e", f"{tmp}/error.log"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                        raise RuntimeError(f"nginx did not start: {err}") from None
                    time.sleep(0.05)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def time_put(src: Path, work: Path, connections: int = 4) -> dict[str, float]:
    """PUT every file of ``src`` to a fresh nginx with ``connections`` parallel curl transfers."""
    root = work / f"nginx-root-{os.getpid()}-{time.monotonic_ns()}"
    files = sorted(p for p in src.iterdir() if p.is_file())
    with nginx(root) as url:
        args = work / "curl.args"
        args.write_text("".join(f'upload-file = "{p}"\nurl = "{url}/{p.name}"\n' for p in files))
        subprocess.run(["sync"], check=True)
        started = time.perf_counter()
        subprocess.run(
            [
                *("curl", "-sS", "--no-progress-meter", "--fail", "-Z"),
                *("--parallel-max", str(connections), "-K", str(args), "-o", "/dev/null"),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        sent = time.perf_counter()
        subprocess.run(["sync"], check=True)
        synced = time.perf_counter()
    stored = sorted(p.name for p in root.iterdir())
    if stored != [p.name for p in files] or any((root / p.name).stat().st_size != p.stat().st_size for p in files):
        raise RuntimeError(f"nginx stored {len(stored)} of {len(files)} files intact")
    shutil.rmtree(root)
    return {"put_seconds": sent - started, "put_sync_seconds": synced - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--connections", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nginx-put-") as tmp:
        print(time_put(args.folder, Path(tmp), args.connections))


if __name__ == "__main__":
    main()
