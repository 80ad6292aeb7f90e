"""One sandbox per submission: where the grader's worker (acts.grade_worker) and the learner's kernel run.

    sandbox = Sandbox.choose("auto")          # bubblewrap where installed, else separate processes
    answer, notes = sandbox.run(request, acts_sources, limits)

Every submission gets a fresh temporary folder holding a copy of ``acts`` written from the source text the grader
read before any submission ran (nothing a submission writes reaches a later one), a minimal environment (no
variable of the grader's: no tokens, no paths to the class folder), its own session, resource limits (address
space, CPU time, file size, processes) and a wall-clock budget; everything left running is killed at the end.
Run as root, the worker and its kernel run as ``nobody``.

With bubblewrap (Debian package ``bubblewrap``) the worker runs in its own mount, PID, network, IPC and UTS
namespaces: the system read-only, only the Python installation and the sandbox folder visible (not the class
folder, not the course, not /home or /root), a private /tmp of bounded size, no network, and all its processes
killed with it. Without it the submission still gets its own folder, environment, session, limits and (as root)
user, but it can see the machine's files as that user can: the report says which isolation was in force.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from .grade_worker import MARK

NOBODY = "nobody"
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/etc")


@dataclass
class Limits:
    memory_bytes: int = 4 << 30        # address space of the worker and of the kernel, each
    cpu_seconds: int = 600             # CPU time of each process
    file_bytes: int = 256 << 20        # size of any one file written
    disk_bytes: int = 512 << 20        # everything written in the sandbox (its /tmp, or its folder)
    processes: int = 256               # processes and threads of the sandbox's user, above what it already runs
    wall_seconds: float = 600.0        # the whole submission: kernel start, every cell, the checks

    def rlimits(self, base_processes: int) -> dict:
        return {"RLIMIT_AS": self.memory_bytes, "RLIMIT_CPU": self.cpu_seconds, "RLIMIT_FSIZE": self.file_bytes,
                "RLIMIT_NPROC": base_processes + self.processes, "RLIMIT_CORE": 0}


def _tasks_of(uid: int) -> int:
    """Processes and threads the user already runs (RLIMIT_NPROC counts them all, across the machine)."""
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
            except OSError:
                continue
    return count


def _python_dirs() -> list:
    """The folders the worker's Python needs: the environment, its base installation, their real paths."""
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.realpath(sys.prefix),
            os.path.realpath(sys.base_prefix), os.path.dirname(os.path.realpath(sys.executable))}
    dirs = {d for d in dirs if d and os.path.isdir(d) and not d.startswith(SYSTEM_DIRS)}
    return sorted(d for d in dirs if not any(d.startswith(other + os.sep) for other in dirs))


@dataclass
class Sandbox:
    kind: str          # "bubblewrap" or "processes"
    user: str          # "nobody" or the grader's own user
    bwrap: str | None
    setpriv: str | None = None

    @classmethod
    def choose(cls, wanted: str = "auto") -> "Sandbox":
        bwrap = shutil.which("bwrap")
        if wanted == "bubblewrap" and not bwrap:
            raise RuntimeError("bubblewrap (bwrap) is not installed: apt-get install bubblewrap")
        use = bwrap if wanted in ("auto", "bubblewrap") else None
        if use and not _bwrap_works(use):
            if wanted == "bubblewrap":
                raise RuntimeError("bubblewrap is installed but cannot create its namespaces here")
            use = None
        setpriv = shutil.which("setpriv")
        user = pwd.getpwuid(os.geteuid()).pw_name
        if os.geteuid() == 0 and (setpriv if use else _nobody_can_run_python()):
            user = NOBODY
        return cls("bubblewrap" if use else "processes", user, use, setpriv)

    def describe(self) -> dict:
        if self.kind == "bubblewrap":
            text = ("bubblewrap: read-only system, only Python and the sandbox visible, private /tmp, own PID "
                    "namespace, no network")
        else:
            text = ("separate processes only (without bubblewrap): own folder, environment, session and "
                    "limits, but the submission can read and write what its user can")
        return {"sandbox": self.kind, "user": self.user, "description": text}

    # ------------------------------------------------------------------------------------------------ one run
    def run(self, request: dict, sources: dict, limits: Limits) -> tuple[dict | None, list]:
        """Run the worker on ``request``; returns (its answer or None, notes on what the sandbox stopped)."""
        root = Path(tempfile.mkdtemp(prefix="acts-grade-"))
        token = secrets.token_hex(16)
        key = secrets.token_hex(32)
        notes: list = []
        proc = None
        try:
            self._prepare(root, sources)
            inside = Path("/tmp/acts") if self.kind == "bubblewrap" else root
            env = self._env(inside, token)
            uid = pwd.getpwnam(NOBODY).pw_uid if self.user == NOBODY else os.geteuid()
            request = dict(request, workdir=str(inside / "work"), results=str(inside / "results"), key=key,
                           limits=limits.rlimits(_tasks_of(uid)))
            command = [sys.executable, "-m", "acts.grade_worker"]
            if self.kind == "bubblewrap":
                command = self._bwrap(root, limits) + command
                cwd = "/"
            else:
                cwd = str(root / "work")
            drop = {"user": uid, "group": pwd.getpwuid(uid).pw_gid, "extra_groups": []} \
                if uid != os.geteuid() and self.kind != "bubblewrap" else {}
            log = tempfile.TemporaryFile()  # the worker's own errors (the kernel's go nowhere): for the log
            proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=log, env=env, cwd=cwd, start_new_session=True, **drop)
            watch = _DiskWatch(root, limits.disk_bytes, proc) if self.kind != "bubblewrap" else None
            try:
                out, _ = proc.communicate((json.dumps(request) + "\n").encode("utf-8"),
                                          timeout=limits.wall_seconds)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                out = b""
                notes.append(f"the submission used up its wall-clock budget of {limits.wall_seconds:g} s: stopped "
                             "(checks without results fail)")
            finally:
                if watch:
                    watch.stop()
            if watch and watch.tripped:
                notes.append(f"the submission wrote more than {limits.disk_bytes >> 20} MB: stopped")
            answer = _answer(out, key)
            if answer is None:
                log.seek(0)
                text = log.read()[-20_000:].decode("utf-8", "replace").strip()
                if text:
                    print(f"the grading worker failed (exit status {proc.returncode}):\n{text}", file=sys.stderr)
                    notes.append(f"the grading worker failed: {text.splitlines()[-1][:300]} (details in the log)")
            log.close()
            return answer, notes
        finally:
            if proc is not None:
                _kill_group(proc)  # the worker's session: anything it left behind
            _kill_marked(token)
            for folder, _, _ in os.walk(root):  # the read-only copy of acts: writable again, so it can go
                try:
                    os.chmod(folder, 0o755)
                except OSError:
                    pass
            shutil.rmtree(root, ignore_errors=True)

    def _prepare(self, root: Path, sources: dict):
        lib = root / "lib" / "acts"
        lib.mkdir(parents=True)
        for relative, (_, text) in sources.items():  # e.g. "check.py", "checks/engine.py"
            target = lib / relative
            if ".." in Path(relative).parts or Path(relative).is_absolute():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        for sub in ("work", "results", "home", "tmp"):
            (root / sub).mkdir()
        if os.geteuid() == 0 and self.user == NOBODY:
            nobody = pwd.getpwnam(NOBODY)
            os.chmod(root, 0o711)
            for sub in ("work", "results", "home", "tmp"):
                os.chown(root / sub, nobody.pw_uid, nobody.pw_gid)
        for path in [lib.parent, lib, *lib.rglob("*")]:  # readable by the kernel, writable by nobody
            os.chmod(path, 0o555 if path.is_dir() else 0o444)

    def _env(self, inside: Path, token: str) -> dict:
        """A minimal environment: nothing inherited from the grader but the locale."""
        env = {"PATH": os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]),
               "LANG": os.environ.get("LANG", "C.UTF-8"), "PYTHONPATH": str(inside / "lib"),
               "HOME": str(inside / "home"), "TMPDIR": str(inside / "tmp"),
               "IPYTHONDIR": str(inside / "home" / ".ipython"), "JUPYTER_CONFIG_DIR": str(inside / "home" / ".jupyter"),
               "JUPYTER_DATA_DIR": str(inside / "home" / ".local"),
               "JUPYTER_RUNTIME_DIR": str(inside / "home" / "runtime"), "JUPYTER_PLATFORM_DIRS": "1",
               "MPLCONFIGDIR": str(inside / "home" / ".mpl"), "MPLBACKEND": "agg", "PYTHONDONTWRITEBYTECODE": "1",
               "PYDEVD_DISABLE_FILE_VALIDATION": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1", "ACTS_GRADE_SANDBOX": token}
        return env

    def _bwrap(self, root: Path, limits: Limits) -> list:
        """bubblewrap's command line: as root, namespaces without a user namespace, then ``setpriv`` drops to
        nobody with no capabilities; as another user, bubblewrap's own user namespace."""
        if os.geteuid() == 0:
            command = [self.bwrap, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                       "--unshare-cgroup-try"]
        else:
            command = [self.bwrap, "--unshare-all"]
        command += ["--die-with-parent", "--new-session"]
        for path in SYSTEM_DIRS:
            command += ["--ro-bind-try", path, path]
        # the private /tmp first: a Python environment that lives under /tmp is then bound on top of it
        command += ["--proc", "/proc", "--dev", "/dev", "--perms", "01777", "--size", str(limits.disk_bytes),
                    "--tmpfs", "/tmp"]
        python = _python_dirs()
        for parent in sorted({str(a) for d in python for a in Path(d).parents} - {"/", "/tmp"}, key=len):
            if not parent.startswith(SYSTEM_DIRS):
                command += ["--perms", "0755", "--dir", parent]
        for path in python:
            command += ["--ro-bind", os.path.realpath(path), path]
        command += ["--perms", "0755", "--dir", "/tmp/acts", "--ro-bind", str(root / "lib"), "/tmp/acts/lib"]
        for sub in ("work", "results", "home", "tmp"):
            command += ["--perms", "0777", "--dir", f"/tmp/acts/{sub}"]
        command += ["--chdir", "/tmp/acts/work", "--"]
        if self.user == NOBODY and os.geteuid() == 0:
            command += [self.setpriv, "--reuid", NOBODY, "--regid", str(pwd.getpwnam(NOBODY).pw_gid),
                        "--clear-groups", "--bounding-set", "-all", "--inh-caps", "-all", "--no-new-privs", "--"]
        return command


def _nobody_can_run_python() -> bool:
    """As root without bubblewrap: whether nobody can run this Python (an installation under /root cannot)."""
    nobody = pwd.getpwnam(NOBODY)
    try:
        done = subprocess.run([sys.executable, "-c", "import numpy, nbclient"], capture_output=True, timeout=60,
                              user=nobody.pw_uid, group=nobody.pw_gid, extra_groups=[], cwd="/")
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _bwrap_works(bwrap: str) -> bool:
    try:
        done = subprocess.run([bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true"],
                              capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _answer(out: bytes, key: str) -> dict | None:
    """The worker's answer, if a line of it carries a valid HMAC (anything else on stdout is ignored)."""
    import hashlib
    import hmac

    for line in reversed(out.decode("utf-8", "replace").splitlines()):
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[0] == MARK:
            mac = hmac.new(bytes.fromhex(key), parts[2].encode("utf-8"), hashlib.sha256).hexdigest()
            if hmac.compare_digest(mac, parts[1]):
                try:
                    return json.loads(parts[2])
                except ValueError:
                    return None
    return None


class _DiskWatch:
    """Without bubblewrap's bounded /tmp: stop the submission when its folder grows past the disk limit."""

    def __init__(self, root: Path, limit: int, proc):
        self.root, self.limit, self.proc = root, limit, proc
        self.tripped, self._stop = False, threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self):
        while not self._stop.wait(0.5):
            total = 0
            for dirpath, _, files in os.walk(self.root):
                for name in files:
                    try:
                        total += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
                    except OSError:
                        pass
            if total > self.limit:
                self.tripped = True
                _kill_group(self.proc)
                return

    def stop(self):
        self._stop.set()
        self._thread.join()


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_marked(token: str):
    """Kill every process still carrying this sandbox's marker in its environment (the kernel started its own
    session, and a child may have detached); with bubblewrap the PID namespace has already taken them all."""
    marker = f"ACTS_GRADE_SANDBOX={token}".encode()
    for _ in range(3):
        found = False
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                with open(f"/proc/{entry.name}/environ", "rb") as fh:
                    if marker in fh.read().split(b"\0"):
                        os.kill(int(entry.name), signal.SIGKILL)
                        found = True
            except OSError:
                continue
        if not found:
            return
        time.sleep(0.05)


def limits_as_dict(limits: Limits) -> dict:
    return asdict(limits)
