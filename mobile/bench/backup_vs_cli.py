"""Backup of N photos from the phone app's web build vs ``auroravault upload`` of the same files.

    cd mobile && npm run export:web && cd .. && .venv/bin/python mobile/bench/backup_vs_cli.py [--count 1000]

Each run gets a fresh server (embedded default: SQLite + local disk) on 127.0.0.1. The web build
runs in Chromium (Playwright, /usr/bin/chromium) on its own origin; time is from choosing the files
to the Backup screen's "N backed up" (every complete answered). The CLI's time is its process's.
Writes mobile/bench/results/backup_vs_cli.json.
"""

from __future__ import annotations

import argparse
import functools
import json
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "bench"))

from common import INPUTS, Server, bench_env, folder_bytes, machine_info, photo_library, register  # noqa: E402

WEB = HERE.parent / "dist" / "web"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def web_backup(src: Path, work: Path, count: int) -> float:
    from playwright.sync_api import sync_playwright

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(WEB)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{httpd.server_address[1]}"
    server = Server(data_dir=work / "web" / "data", env={"AURORAVAULT_SERVER__CORS_ORIGINS": f'["{origin}"]'})
    try:
        server.start()
        register(server.url, "web@example.com")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(origin)
            page.get_by_test_id("server").fill(server.url)
            page.get_by_test_id("email").fill("web@example.com")
            page.get_by_test_id("password").fill("a long family password")
            page.get_by_test_id("submit").click()
            page.get_by_test_id("tab-backup").click(timeout=30_000)
            files = sorted(str(p) for p in src.iterdir())
            with page.expect_file_chooser() as chooser:
                page.get_by_test_id("pick").click()
            started = time.perf_counter()
            chooser.value.set_files(files)
            page.get_by_text(f"{count} backed up, 0 to go", exact=False).wait_for(timeout=3_600_000)
            elapsed = time.perf_counter() - started
            browser.close()
        return elapsed
    finally:
        server.stop()
        httpd.shutdown()


def cli_upload(src: Path, work: Path) -> float:
    server = Server(data_dir=work / "cli" / "data")
    try:
        server.start()
        _, token = register(server.url, "cli@example.com")
        env = {
            **bench_env(),
            "AURORAVAULT_SERVER_URL": server.url,
            "AURORAVAULT_TOKEN": token,
            "XDG_CONFIG_HOME": str(work / "xdg-config"),
            "XDG_STATE_HOME": str(work / "xdg-state"),
        }
        state = work / "state.sqlite"
        cmd = [sys.executable, "-m", "auroravault", "upload", str(src), "--state", str(state), "--quiet"]
        started = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        return time.perf_counter() - started
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=1200)
    args = parser.parse_args()
    if not (WEB / "index.html").is_file():
        raise SystemExit("build the web export first: cd mobile && npm run export:web")
    src = photo_library(args.count, args.width, args.height)
    INPUTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mobile-bench-", dir=INPUTS) as tmp:
        work = Path(tmp)
        cli = cli_upload(src, work)
        web = web_backup(src, work, args.count)
    result = {
        "photos": args.count,
        "bytes": folder_bytes(src),
        "size": f"{args.width}x{args.height}",
        "cli_upload_seconds": round(cli, 2),
        "web_app_backup_seconds": round(web, 2),
        "ratio_web_over_cli": round(web / cli, 2),
        "machine": machine_info(),
    }
    out = HERE / "results" / "backup_vs_cli.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=2))


if __name__ == "__main__":
    main()
