"""Benchmark: the generated package at run time, each figure against a baseline.

* client GET (``get_creations``) and POST (``reference2video``) against raw
  ``urllib3.PoolManager.request`` + ``json.loads`` on the same loopback fake
  server, interleaved in blocks, requests per second;
* fake server GET throughput while it holds 1 task and 10,000 tasks (the
  10,000 are made through its own create path, in-process, so seeding does
  not take minutes), interleaved in blocks;
* start-up, fresh interpreters, bytecode cached: ``import vidu`` +
  ``validate_payload`` and ``import vidu`` + ``vidu.Client`` against
  ``import attrs, cattrs, urllib3``; ``python -m vidu --help`` against
  ``python -c pass``; with ``-X importtime`` for the modules that cost most;
* peak RSS (fresh subprocess, its own ``VmHWM`` over its RSS before reading)
  of ``Image.from_path`` on a 9 MB PNG + a request + ``to_json()``, then the
  same with the client sending it to a loopback server that keeps nothing, as
  a multiple of the encoded body.

Run::

    PYTHONPATH=generated python bench/bench_runtime.py [--quick] [--json PATH]
"""

import argparse
import contextlib
import http.server
import json
import os
import re
import struct
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import benchlib
import urllib3
import vidu
from benchlib import Samples
from vidu.testing import FakeServer

PY = sys.executable
IMAGE_URL = "https://cdn.example.com/refs/image-001.png"
BODY: dict[str, Any] = {
    "model": "viduq2",
    "images": [IMAGE_URL, "https://cdn.example.com/refs/image-002.png"],
    "prompt": "A bear hugs Santa Claus by the lake.",
    "duration": 5,
    "resolution": "720p",
}


# --- client against raw urllib3 ----------------------------------------------


def _raw(server: FakeServer) -> tuple[Callable[[str], object], Callable[[], object]]:
    pool = urllib3.PoolManager(maxsize=8)
    auth = vidu.Client._api.auth.value(server.api_key)
    headers = {"Accept": "application/json", "Authorization": auth}
    post_headers = {**headers, "Content-Type": "application/json"}

    def get(task_id: str) -> object:
        url = f"{server.url}/ent/v2/tasks/{task_id}/creations"
        return json.loads(pool.request("GET", url, headers=headers).data)

    def post() -> object:
        data = json.dumps(BODY, separators=(",", ":")).encode()
        url = f"{server.url}/ent/v2/reference2video"
        response = pool.request("POST", url, body=data, headers=post_headers)
        return json.loads(response.data)

    return get, post


def _rate(call: Callable[[], object], count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        call()
    return count / (time.perf_counter() - start)


def client_vs_urllib3(rounds: int, block: int) -> dict[str, dict[str, Samples]]:
    """Requests per second: client and raw urllib3, GET and POST.

    GETs go to a server holding one task; POSTs to another, which grows by
    the tasks they create (both sides alike, as the order alternates).
    """
    # a real clock: the fake server refuses to be polled on a clock that never moves
    with FakeServer(clock="real") as getting, FakeServer(clock="real") as posting:
        get_client = vidu.Client(api_key=getting.api_key, base_url=getting.url)
        post_client = vidu.Client(api_key=posting.api_key, base_url=posting.url)
        raw_get = _raw(getting)[0]
        raw_post = _raw(posting)[1]
        task_id = get_client.reference2video(**BODY).task_id
        sides: dict[str, dict[str, Callable[[], float]]] = {
            "GET": {
                "client": lambda: _rate(
                    lambda: get_client.get_creations(task_id), block
                ),
                "urllib3": lambda: _rate(lambda: raw_get(task_id), block),
            },
            "POST": {
                "client": lambda: _rate(
                    lambda: post_client.reference2video(**BODY), block
                ),
                "urllib3": lambda: _rate(raw_post, block),
            },
        }
        for side in sides.values():  # warm both connections and caches
            for call in side.values():
                call()
        result = {
            name: benchlib.interleave(side, rounds) for name, side in sides.items()
        }
        get_client.close()
        post_client.close()
    return result


# --- fake server throughput ----------------------------------------------------


def _seed(server: FakeServer, count: int) -> str:
    """Make ``count`` tasks through the server's own create path; one id."""
    operation = server._service.api.operations["reference2video"]
    task_id = ""
    with server._lock:
        for _ in range(count):
            task_id = server._create(operation, dict(BODY)).id
    return task_id


def server_throughput(rounds: int, block: int, many: int) -> dict[str, Samples]:
    """GET requests per second with 1 task and with ``many`` tasks held."""
    with FakeServer() as one, FakeServer() as full:
        ids = {"1 task": _seed(one, 1), f"{many} tasks": _seed(full, many)}
        gets = {"1 task": _raw(one)[0], f"{many} tasks": _raw(full)[0]}

        def rate_of(name: str) -> Callable[[], float]:
            return lambda: _rate(lambda: gets[name](ids[name]), block)

        sides = {name: rate_of(name) for name in gets}
        for side in sides.values():
            side()
        return benchlib.interleave(sides, rounds)


# --- start-up -------------------------------------------------------------------

STARTUP = {
    "python -c pass": [PY, "-c", "pass"],
    "import attrs, cattrs, urllib3": [PY, "-c", "import attrs, cattrs, urllib3"],
    "import vidu + validate_payload": [
        PY,
        "-c",
        "import vidu; vidu.validate_payload('reference2video', " + repr(BODY) + ")",
    ],
    "import vidu + Client": [PY, "-c", "import vidu; vidu.Client"],
    "python -m vidu --help": [PY, "-m", "vidu", "--help"],
}


def startup(rounds: int) -> dict[str, Samples]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": ""}
    env.pop("PYTHONDONTWRITEBYTECODE")
    for argv in STARTUP.values():  # write the bytecode caches
        benchlib.run(argv, env=env)
    sides = {
        name: (lambda argv=argv: benchlib.run(argv, env=env).seconds)
        for name, argv in STARTUP.items()
    }
    return benchlib.interleave(sides, rounds)


def import_profile(code: str, top: int = 8) -> list[tuple[int, str]]:
    """``-X importtime``: the modules with the most cumulative import time (µs)."""
    out = benchlib.run([PY, "-X", "importtime", "-c", code])
    rows = []
    for line in out.output.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if match and len(match.group(3)) <= 3:  # top-level imports only
            rows.append((int(match.group(2)), match.group(4)))
    return sorted(rows, reverse=True)[:top]


# --- peak RSS of a data URI -------------------------------------------------------

RSS_SCRIPT = """
import json, sys
import vidu
path, stage, url, key = sys.argv[1:5]
def status(name):
    # this process's own figures: a child's getrusage maxrss starts at its
    # parent's on Linux, VmHWM is the peak of this process's memory alone
    for line in open("/proc/self/status"):
        if line.startswith(name):
            return int(line.split()[1])
# the client (and the HTTP stack) made first, as a program that sends would
client = vidu.Client(api_key=key, base_url=url) if stage == "sent" else None
before = status("VmRSS:")
uri = vidu.Image.from_path(path)
request = vidu.Reference2VideoRequest(model="viduq2", images=[uri], prompt="a bear")
body = request.to_json()
ready = status("VmRSS:")
if client is not None:  # the client encodes and sends it to a loopback server
    client.reference2video(request)
peak = status("VmHWM:")
size = len(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())
print(json.dumps({"before_kib": before, "ready_kib": ready, "peak_kib": peak,
                  "body_bytes": size}))
"""
RSS_STAGES = ("to_json", "sent")
"""``to_json``: the request's JSON body made, in a process without the client;
``sent``: a client made first, then the body made and sent to :class:`_Sink`
(in the benchmark's process, so its memory is not counted), the answer read."""


SLICE = 1 << 20


class _Sink(http.server.BaseHTTPRequestHandler):
    """Reads a request body a slice at a time, keeps nothing, answers a created
    task: the fake server would echo a data URI back, and the client's memory
    for that answer is not what this row measures."""

    ANSWER = b'{"task_id":"t-1","state":"created"}'
    MOST = 64 << 20
    timeout = 30.0

    def do_POST(self) -> None:
        left = min(int(self.headers.get("Content-Length") or 0), self.MOST)
        for _ in range(self.MOST // SLICE + 1):  # a read returns SLICE bytes, or EOF
            got = len(self.rfile.read(min(left, SLICE))) if left > 0 else 0
            if not got:
                break
            left -= got
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.ANSWER)))
        self.end_headers()
        self.wfile.write(self.ANSWER)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def _sink() -> Iterator[str]:
    """The URL of a :class:`_Sink` on 127.0.0.1, served until the block ends."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _big_png(path: Path, size: int) -> None:
    ihdr = struct.pack(">IIBBBBB", 1920, 1080, 8, 2, 0, 0, 0)
    head = (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", 13)
        + b"IHDR"
        + ihdr
        + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    )
    path.write_bytes(head + os.urandom(size - len(head)))


def peak_rss(size: int, rounds: int) -> dict[str, dict[str, Any]]:
    """Per stage, over ``rounds`` fresh processes (the stages interleaved):
    peak RSS over the RSS before reading, and what sending alone added (the
    peak over the RSS once the body was made), each as a multiple of the
    encoded body."""
    result: dict[str, dict[str, Any]] = {
        stage: {"file_bytes": size, "ratio_to_body": [], "sending_ratio_to_body": []}
        for stage in RSS_STAGES
    }
    with (
        tempfile.TemporaryDirectory(prefix="vidu-bench-") as name,
        _sink() as url,
    ):
        png = Path(name) / "big.png"
        _big_png(png, size)
        for _ in range(rounds):
            for stage in RSS_STAGES:
                argv = [PY, "-c", RSS_SCRIPT, str(png), stage, url, "sink-key"]
                out = benchlib.run(argv)
                if out.returncode != 0:
                    raise RuntimeError(out.output)
                data = json.loads(out.output.strip().splitlines()[-1])
                body = data["body_bytes"]
                grown = (data["peak_kib"] - data["before_kib"]) * 1024
                sending = max(data["peak_kib"] - data["ready_kib"], 0) * 1024
                row = result[stage]
                row["body_bytes"] = body
                row["ratio_to_body"].append(grown / body)
                row["sending_ratio_to_body"].append(sending / body)
    return result


def measure(quick: bool) -> dict[str, Any]:
    rounds, block = (2, 50) if quick else (7, 300)
    many = 1000 if quick else 10_000
    clients = client_vs_urllib3(rounds, block)
    server = server_throughput(rounds, block, many)
    starts = startup(3 if quick else 15)
    rss = peak_rss(9_000_000, 2 if quick else 5)
    profiles = {
        "import vidu + validate_payload": import_profile(
            STARTUP["import vidu + validate_payload"][2]
        ),
        "python -m vidu --help": import_profile("import vidu.__main__"),
    }
    return {
        "client": {
            op: {k: s.values for k, s in sides.items()} for op, sides in clients.items()
        },
        "server": {k: s.values for k, s in server.items()},
        "server_tasks": many,
        "startup": {k: s.values for k, s in starts.items()},
        "rss": rss,
        "import_profile": profiles,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", type=Path, metavar="PATH")
    args = parser.parse_args(argv)
    result = measure(args.quick)
    print(json.dumps(result, indent=2))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
