"""The sandbox a submission's kernel runs in: bubblewrap (``bwrap``), one per kernel.

Inside, the kernel sees the system and the Python environment read-only, netkit's package
folders read-only (an editable install points into the course repository, so the package
folders are bound, never the repository), a private ``/tmp`` and one writable folder: the
job's folder, holding a copy of the notebook's working folder and the kernel's sockets,
bound at the same path inside and out. The course folder (gradebook, intake, other
submissions), the instructor's home and the repository are not there at all. The kernel has
its own network namespace (loopback only, so parallel jobs never share a port), its own PID
namespace (every process it starts dies with it, ``--die-with-parent``) and rlimits on
memory, processes, open files, file size and CPU time set by a launcher before ipykernel
starts.

It talks to the grader over jupyter_client's ``ipc`` transport (Unix sockets in the job
folder): TCP on 127.0.0.1 would not cross the network namespace. Interrupts go as
``interrupt_request`` messages on the control channel (a signal to bwrap need not reach
ipykernel). ``SandboxKernelManager`` is the kernel manager ``grader.execute.RobustExecute``
uses; ``probe()`` says, before a run, whether bwrap can start here and what to do if not.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

BWRAP = "bwrap"
# Read-only system folders; a symlink (merged /usr) is recreated as one.
SYSTEM = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc", "/opt/conda"]
# Environment variables the kernel keeps; everything else (tokens, the instructor's paths) stays out.
KEEP_ENV = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "PYTHONHASHSEED", "MPLBACKEND")
UNAVAILABLE = (
    "The grading sandbox (bubblewrap) cannot start here{why}.\n"
    "Every submission runs in it, so that student code cannot reach the gradebook, other\n"
    "submissions or the course repository. To enable it:\n"
    "  - Debian/Ubuntu: sudo apt-get install bubblewrap\n"
    "  - Ubuntu 24.04 restricts user namespaces with AppArmor: either\n"
    "      sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0\n"
    "    (add it to /etc/sysctl.d/ to keep it), or give bwrap an AppArmor profile that\n"
    "    allows 'userns' (see bubblewrap's documentation);\n"
    "  - elsewhere: enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1).\n"
    "To grade without it (only for submissions you trust), pass --sandbox none\n"
    "(nbgrader: c.RobustExecute.sandbox = 'none'); every row is then flagged 'no sandbox'."
)
# Runs inside the sandbox before ipykernel: hard rlimits that student code cannot raise.
LAUNCHER = """import os, resource, sys
for name, value in {limits!r}:
    if value > 0:
        resource.setrlimit(getattr(resource, name), (value, value))
os.execv(sys.executable, [sys.executable] + sys.argv[1:])
"""


class SandboxUnavailable(RuntimeError):
    """bwrap is missing or cannot create namespaces here; the message says what to do."""


class SandboxFailed(RuntimeError):
    """The sandbox of one submission did not start; that submission is flagged, the run goes on."""


def _bwrap():
    return shutil.which(BWRAP) or "/usr/bin/bwrap"


def _python_roots():
    """Folders the kernel's Python needs: the interpreter's prefix, the environment and netkit's packages."""
    roots = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix), Path(sys.base_exec_prefix),
             Path(os.path.realpath(sys.executable)).parent.parent}
    return roots


def package_dirs(names):
    """The folders of the packages ``names`` (an editable install's folders live in the repository)."""
    import importlib.util

    dirs = []
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec is None:
            continue
        for location in spec.submodule_search_locations or [os.path.dirname(spec.origin)]:
            dirs.append(Path(location).resolve())
    return dirs


def limits(memory=0, processes=0, open_files=0, file_size=0, cpu_seconds=0):
    return [("RLIMIT_DATA", int(memory)), ("RLIMIT_NPROC", int(processes)), ("RLIMIT_NOFILE", int(open_files)),
            ("RLIMIT_FSIZE", int(file_size)), ("RLIMIT_CPU", int(cpu_seconds))]


def bwrap_args(job, workdir, packages=("netkit",), env=None, tmp_size=0):
    """bwrap's options for a kernel whose only writable folders are ``job`` (bound at its own path) and /tmp.

    ``/tmp`` and ``/dev/shm`` are tmpfs, held in the host's memory outside any rlimit: ``tmp_size``
    (bytes; 0: the kernel's default, half the host's memory) caps each.
    """
    size = ["--size", str(int(tmp_size))] if tmp_size > 0 else []
    # --cap-drop ALL: a sandbox whose user is root (the grader runs as root in a container) keeps none either.
    args = [_bwrap(), "--unshare-all", "--cap-drop", "ALL", "--die-with-parent", "--new-session", "--clearenv",
            "--proc", "/proc", "--dev", "/dev", *size, "--tmpfs", "/dev/shm", *size, "--tmpfs", "/tmp"]
    for path in SYSTEM:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    # Sorted, so a folder is bound before the folders inside it.
    for root in sorted({str(p) for p in _python_roots() | set(package_dirs(packages))}):
        if not any(root == s or root.startswith(s + "/") for s in SYSTEM):
            args += ["--ro-bind", root, root]
    args += ["--bind", str(job), str(job), "--chdir", str(workdir)]
    env = env or {}
    path = os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"])
    settings = {"PATH": path, "HOME": "/tmp", "TMPDIR": "/tmp", "MPLCONFIGDIR": "/tmp/matplotlib",
                "IPYTHONDIR": "/tmp/ipython", "JUPYTER_RUNTIME_DIR": "/tmp/jupyter", "LANG": "C.UTF-8"}
    settings.update({k: v for k, v in env.items() if k in KEEP_ENV or k.startswith("NETKIT_")})
    for key, value in settings.items():
        args += ["--setenv", key, value]
    return args


def probe():
    """Raise ``SandboxUnavailable`` (saying what to install or enable) unless bwrap can start a sandbox here."""
    if not os.path.exists(_bwrap()):
        raise SandboxUnavailable(UNAVAILABLE.format(why=": bwrap is not installed"))
    job = Path(tempfile.mkdtemp(prefix="grade-probe-"))
    try:
        run = subprocess.run([*bwrap_args(job, job), sys.executable, "-c", "print('ok')"],
                             capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SandboxUnavailable(UNAVAILABLE.format(why=f": {exc}")) from None
    finally:
        shutil.rmtree(job, ignore_errors=True)
    if run.returncode != 0 or run.stdout.strip() != "ok":
        why = (run.stderr.strip().splitlines() or [f"exit status {run.returncode}"])[-1]
        raise SandboxUnavailable(UNAVAILABLE.format(why=f" ({why})"))


_PROBED = False


def probe_once():
    """``probe()``, once per process."""
    global _PROBED
    if not _PROBED:
        probe()
        _PROBED = True


class Job:
    """A job folder: ``work/`` (a copy of the notebook's working folder, the kernel's cwd) and its sockets.

    Only this folder is shared with the kernel; it is deleted when grading of the submission ends.
    """

    def __init__(self, source_folder=None):
        # Short path: a Unix socket's path must stay under 108 bytes.
        self.root = Path(tempfile.mkdtemp(prefix="grade-", dir="/tmp")).resolve()
        self.work = self.root / "work"
        self.source = source_folder if source_folder and Path(source_folder).is_dir() else None
        self._fill()
        self.stderr_path = self.root.parent / f"{self.root.name}.stderr"  # outside the job: the kernel cannot read it; it can write to it only as its inherited stderr, up to RLIMIT_FSIZE
        self.starts = 0

    def _fill(self):
        if self.source:
            shutil.copytree(self.source, self.work, symlinks=False, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        else:
            self.work.mkdir()

    def used(self, limit, max_entries=100_000):
        """Bytes the job folder takes on disk, counted until past ``limit`` (so many entries count as past it)."""
        total, entries, folders = 0, 0, [self.root]
        while folders:
            try:
                with os.scandir(folders.pop()) as found:
                    for entry in found:
                        entries += 1
                        if entry.is_dir(follow_symlinks=False):
                            folders.append(entry.path)
                        else:
                            total += entry.stat(follow_symlinks=False).st_blocks * 512
                        if total > limit or entries > max_entries:
                            return limit + 1
            except OSError:
                continue
        return total

    def clear(self):
        """Delete all that the (stopped) kernel wrote; the working folder is a fresh copy again."""
        for entry in list(self.root.iterdir()):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
        self._fill()

    def stderr_tail(self, lines=5):
        try:
            text = self.stderr_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.strip().splitlines()[-lines:])

    def remove(self):
        shutil.rmtree(self.root, ignore_errors=True)
        self.stderr_path.unlink(missing_ok=True)


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager that starts the kernel inside bwrap, on ipc sockets in the job folder.

    Set ``job`` (a ``Job``) and ``rlimits`` (``limits(...)``) before starting the kernel.
    """

    job = None
    rlimits = ()
    tmp_size = 0  # bytes each of /tmp and /dev/shm may hold
    packages = ("netkit",)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.transport = "ipc"

    async def _async_pre_start_kernel(self, **kw):
        self.job.starts += 1
        # jupyter_client picks ipc "ports" not yet taken in this folder, so a restarted kernel gets fresh sockets.
        self.ip = str(self.job.root / f"k{self.job.starts}")
        self.connection_file = str(self.job.root / f"kernel{self.job.starts}.json")
        self.kernel_spec.interrupt_mode = "message"  # SIGINT to bwrap would not reach ipykernel
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        env = kw.get("env") or os.environ
        launcher = [sys.executable, "-c", LAUNCHER.format(limits=list(self.rlimits))]
        python = kernel_cmd[0]
        if os.path.basename(python).startswith("python"):
            kernel_cmd = launcher + kernel_cmd[1:]  # the launcher execs this same interpreter
        cmd = [*bwrap_args(self.job.root, self.job.work, self.packages, env, self.tmp_size), "--", *kernel_cmd]
        kw["cwd"] = str(self.job.root)
        with open(self.job.stderr_path, "ab") as stderr:  # why a sandbox failed to start, for the feedback
            kw["stderr"] = kw["stdout"] = stderr
            return await super()._async_launch_kernel(cmd, **kw)
