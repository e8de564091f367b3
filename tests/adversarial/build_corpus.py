"""Write the adversarial corpus: hostile or pathological submissions, one folder each.

Run `python tests/adversarial/build_corpus.py` to regenerate `corpus/`. Notebooks
that attack a defence carry a *canary*: code that fails the cell (so the run status
changes) if the attack worked. Huge inputs (a million cells, a 60 MB notebook) are
made at test time instead of being committed.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"


def notebook(*cells: str, markdown: str = "# Analysis") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells.append(nbformat.v4.new_markdown_cell(markdown))
    nb.cells.extend(nbformat.v4.new_code_cell(c.strip("\n")) for c in cells)
    return nb


def write(name: str, *cells: str, **files: bytes) -> None:
    folder = CORPUS / name
    folder.mkdir(parents=True)
    nbformat.write(notebook(*cells), str(folder / "analysis.ipynb"))
    for rel, data in files.items():
        (folder / rel).write_bytes(data)


def write_raw(name: str, data: bytes, filename: str = "analysis.ipynb") -> None:
    folder = CORPUS / name
    folder.mkdir(parents=True)
    (folder / filename).write_bytes(data)


def write_zip(name: str, entries: dict[str, bytes], symlink: str | None = None) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as bundle:
        for rel, data in entries.items():
            bundle.writestr(rel, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = 0o120777 << 16
            bundle.writestr(info, "/etc/passwd")
    (CORPUS / f"{name}.zip").write_bytes(buffer.getvalue())


PREAMBLE = "import os, sys, time\nprint('starting')"
AFTER = "print('the cell after the attack')"


def build() -> None:
    if CORPUS.exists():
        shutil.rmtree(CORPUS)
    CORPUS.mkdir()

    # --- resources -------------------------------------------------------------------
    write("fork_bomb", PREAMBLE, "while True:\n    os.fork()", AFTER)
    write("memory_bomb", PREAMBLE, "hog = []\nwhile True:\n    hog.append(bytearray(64 * 1024 * 1024))", AFTER)
    write("infinite_loop", PREAMBLE, "n = 0\nwhile True:\n    n += 1", AFTER)
    write("sleep_forever", PREAMBLE, "time.sleep(10**9)", AFTER)
    write(
        "uninterruptible_c_call",
        PREAMBLE,
        "import signal\n# block SIGINT, then sleep inside C: the interrupt never arrives\n"
        "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})\ntime.sleep(10**6)",
        AFTER,
    )
    write(
        "disk_fill_tmp",
        PREAMBLE,
        "chunk = b'0' * (4 * 1024 * 1024)\nwith open('/tmp/fill.bin', 'wb') as f:\n    while True:\n"
        "        f.write(chunk)\n        f.flush()",
        AFTER,
    )
    write(
        "disk_fill_output",
        PREAMBLE,
        "chunk = b'0' * (4 * 1024 * 1024)\ni = 0\nwhile True:\n    with open(f'fill_{i}.bin', 'wb') as f:\n"
        "        f.write(chunk * 8)\n    i += 1",
        AFTER,
    )
    write("output_flood", PREAMBLE, "line = 'x' * 10_000\nwhile True:\n    print(line)", AFTER)
    write(
        "huge_image",
        PREAMBLE,
        "import base64\nfrom IPython.display import display\n"
        "png = b'\\x89PNG\\r\\n\\x1a\\n' + os.urandom(40 * 1024 * 1024)\n"
        "display({'image/png': base64.b64encode(png).decode()}, raw=True)",
        AFTER,
    )
    write(
        "thread_and_cpu_hog",
        PREAMBLE,
        "import threading\nstop = time.time() + 5\ndef spin():\n    while time.time() < stop:\n        pass\n"
        "threads = [threading.Thread(target=spin) for _ in range(64)]\n[t.start() for t in threads]\n"
        "[t.join() for t in threads]\nprint('done spinning')",
        AFTER,
    )

    # --- network -----------------------------------------------------------------------
    write(
        "network_attempts",
        PREAMBLE,
        """
import socket
reached = []
for host, port in [("1.1.1.1", 80), ("8.8.8.8", 53), ("172.17.0.1", 2375), ("169.254.169.254", 80)]:
    try:
        socket.create_connection((host, port), timeout=2).close()
        reached.append(f"{host}:{port}")
    except OSError:
        pass
try:
    socket.getaddrinfo("pypi.org", 443)
    reached.append("dns")
except OSError:
    pass
for family, kind in [(socket.AF_PACKET, socket.SOCK_RAW), (socket.AF_INET, socket.SOCK_RAW), (40, socket.SOCK_STREAM)]:
    try:
        socket.socket(family, kind).close()
        reached.append(f"raw socket {family}")
    except (OSError, AttributeError):
        pass
import urllib.request
try:
    urllib.request.urlopen("http://example.com", timeout=2)
    reached.append("http")
except Exception:
    pass
assert not reached, f"CANARY: network reachable: {reached}"
print("no network")
""",
        AFTER,
    )

    # --- filesystem and host ------------------------------------------------------------
    write(
        "read_host_paths",
        PREAMBLE,
        """
leaks = []
for path in ["/etc/shadow", "/var/run/docker.sock", "/run/docker.sock", "/root/.ssh", "/proc/kcore",
             "/sys/kernel/security", "/host", "/var/lib/docker"]:
    if os.path.exists(path):
        try:
            with open(path, "rb") as handle:
                handle.read(16)
            leaks.append(f"read {path}")
        except (OSError, IsADirectoryError):
            pass
try:
    env = open("/proc/1/environ", "rb").read()
except OSError:
    env = b""
if any(word in env for word in (b"GRADER_CANARY", b"AWS_", b"SSH_", b"DOCKER_", b"HMAC", b"NONCE")):
    leaks.append("secrets in the executor's environment")
for key in os.environ:
    if key.startswith(("GRADER_CANARY", "AWS_", "SSH_", "DOCKER_")):
        leaks.append(f"host env {key}")
mounts = open("/proc/self/mountinfo").read()
for needle in ["docker.sock", "/root", " /work"]:
    if needle in mounts:
        leaks.append(f"mount {needle.strip()}")
assert not leaks, f"CANARY: {leaks}"
print("host is invisible")
""",
        AFTER,
    )
    write(
        "write_data_folder",
        PREAMBLE,
        """
wrote = []
for path in ["data/train.csv", "/sandbox/in/job.json", "/sandbox/in/data/train.csv", "/etc/passwd", "/opt/venv/x",
             "/usr/lib/python3/x"]:
    try:
        with open(path, "a") as handle:
            handle.write("tampered")
        wrote.append(path)
    except OSError:
        pass
assert not wrote, f"CANARY: wrote {wrote}"
print("read-only holds")
""",
        AFTER,
    )
    write(
        "hidden_label_hunt",
        PREAMBLE,
        """
found = []
for root in ["/"]:
    for folder, dirs, files in os.walk(root):
        if folder.startswith(("/proc", "/sys", "/dev", "/usr", "/opt/venv")):
            dirs[:] = []
            continue
        for name in files:
            if "label" in name.lower() or "hidden" in folder.lower():
                found.append(os.path.join(folder, name))
assert not found, f"CANARY: {found[:5]}"
print("no hidden labels here")
""",
        AFTER,
    )
    write(
        "privilege_escalation",
        PREAMBLE,
        """
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
gained = []
if libc.setuid(0) == 0:
    gained.append("setuid")
if libc.unshare(0x10000000) == 0:
    gained.append("unshare user ns")
if libc.mount(b"none", b"/tmp", b"tmpfs", 0, None) == 0:
    gained.append("mount")
# Under gVisor io_uring is the sandbox kernel's own emulation, not the host's: only runc must refuse it.
gvisor = "#1 SMP Sun Jan 10 15:06:54 PST 2016" in open("/proc/version").read()
if not gvisor and (libc.syscall(425, 8, 0) != -1 or ctypes.get_errno() not in (errno.EPERM, errno.ENOSYS)):
    gained.append("io_uring_setup")
if libc.ptrace(16, 1, 0, 0) == 0:  # PTRACE_ATTACH to the executor
    gained.append("ptrace pid 1")
try:
    open("/proc/1/mem", "rb").read(1)
    gained.append("read executor memory")
except OSError:
    pass
assert os.getuid() != 0, "CANARY: running as root"
assert not gained, f"CANARY: {gained}"
print("no privileges")
""",
        AFTER,
    )

    # --- the kernel and the executor ----------------------------------------------------
    write("kill_own_kernel", PREAMBLE, "import signal\nos.kill(os.getpid(), signal.SIGKILL)", AFTER)
    write("segfault", PREAMBLE, "import ctypes\nctypes.string_at(0)", AFTER)
    write(
        "kill_the_executor",
        PREAMBLE,
        """
import signal
for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT):
    try:
        os.kill(1, sig)
    except OSError:
        pass
time.sleep(1)
print("the executor is still there")
""",
        "raise RuntimeError('a genuine bug in the candidate code')",
        AFTER,
    )
    write(
        "daemon_outlives_kernel",
        PREAMBLE,
        """
import subprocess
code = '''
import os, time, json
while True:
    for path in ["/sandbox/out/grader/execution.json", "/sandbox/out/grader/done.json"]:
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "w").write(json.dumps({"status": "ok", "forged": True}))
        except OSError:
            pass
    time.sleep(0.05)
'''
subprocess.Popen([sys.executable, "-c", code], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print("daemon started")
""",
        "raise ValueError('this cell really fails')",
        AFTER,
    )
    write(
        "forge_results",
        PREAMBLE,
        """
import json
os.makedirs("/sandbox/out/grader/executed", exist_ok=True)
fake = {"executor_version": 1, "status": "ok", "reason": "", "duration_s": 1.0, "notebooks": [], "cells": [],
        "collected": []}
open("/sandbox/out/grader/execution.json", "w").write(json.dumps(fake))
open("/sandbox/out/grader/done.json", "w").write(json.dumps({"files": {}, "hmac": "0" * 64}))
open("/sandbox/out/progress.jsonl", "w").write("{}\\n")
print("forged")
""",
        "raise ValueError('this cell really fails')",
        AFTER,
    )
    write(
        "symlink_outputs",
        PREAMBLE,
        """
for name, target in [("predictions.csv", "/etc/passwd"), ("extra.csv", "/sandbox/in/job.json")]:
    if os.path.lexists(name):
        os.remove(name)
    os.symlink(target, name)
os.makedirs("/sandbox/out/grader", exist_ok=True)
try:
    os.symlink("/etc/shadow", "/sandbox/out/grader/collected")
except OSError:
    pass
print("symlinks planted")
""",
        AFTER,
    )
    write(
        "fake_grader_output",
        PREAMBLE,
        """
banner = "thg-executor: results written\\n" + '{"status": "ok", "score": 100, "total": {"score": 100, "max": 100}}\\n'
print(banner)
os.write(1, banner.encode())
os.write(2, banner.encode())
print("SCORE: 100/100 -- all checks passed")
""",
        "raise ValueError('this cell really fails')",
        AFTER,
    )
    write(
        "xss_payloads",
        PREAMBLE,
        r"""
from IPython.display import HTML, SVG, Javascript, Markdown, display
display(HTML('<script>window.__pwned = "script"</script><img src=x onerror="window.__pwned=\'img\'">'
             '<a href="javascript:window.__pwned=\'link\'">click me</a><iframe src="javascript:alert(1)"></iframe>'
             '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=\'svg\'">'
            '<script>window.__pwned="svgscript"</script><circle r="5"/></svg>'))
display(Javascript('window.__pwned = "js"'))
display(Markdown('[innocent](javascript:window.__pwned="md") <img src=x onerror=window.__pwned="mdimg">'))
print('<script>window.__pwned="stdout"</script>')
""",
        AFTER,
    )
    nb = notebook(
        PREAMBLE,
        AFTER,
        markdown='# Analysis <script>window.__pwned="markdown"</script>\n'
        "<img src=x onerror=\"window.__pwned='mdimg'\">\n[x](javascript:window.__pwned=1)",
    )
    folder = CORPUS / "xss_in_markdown"
    folder.mkdir()
    nbformat.write(nb, str(folder / "analysis.ipynb"))
    write(
        "crafted_file_names",
        PREAMBLE,
        AFTER,
        **{"<script>alert(1)<%2Fscript>.md": b"# notes", "README.md": b"<img src=x onerror=alert(1)>"},
    )

    # --- malformed input ----------------------------------------------------------------
    write_raw("malformed_json", b'{"cells": [{"cell_type": "code", "source": "print(1)"')
    write_raw("not_a_notebook", b'{"hello": "world", "this": ["is", "json"]}')
    write_raw("deeply_nested", b'{"cells": [], "metadata": ' + b'{"a":' * 20000 + b"1" + b"}" * 20000 + b"}")
    write_raw(
        "non_utf8", b'{"cells": [], "metadata": {"title": "caf\xe9 \xff\xfe"}, "nbformat": 4, "nbformat_minor": 5}'
    )
    write_raw("no_notebook_at_all", b"print('I sent a script, not a notebook')\n", filename="solution.py")
    good = nbformat.writes(notebook(PREAMBLE, AFTER)).encode()
    write_zip("zip_bomb", {"analysis.ipynb": good, "data/zeros.csv": b"0" * (300 * 1024 * 1024)})
    write_zip("zip_slip", {"analysis.ipynb": good, "../../../../tmp/thg-zip-slip-canary": b"pwned"})
    write_zip("zip_symlink", {"analysis.ipynb": good}, symlink="passwd")


if __name__ == "__main__":
    build()
    print(f"wrote {len(list(CORPUS.iterdir()))} entries into {CORPUS}")
