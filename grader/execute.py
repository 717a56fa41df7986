"""A replacement for nbgrader's Execute step that no submission can hang, crash or fool.

Stock nbgrader gives every cell the same 30 s, and drops the whole submission when the
kernel dies. ``RobustExecute`` (set in ``nbgrader_config.py``) instead:

- gives each cell its own deadline: a ``deadline`` (seconds) in the cell's metadata;
  else, for a graded test cell, ``test_cell_timeout`` (netkit's checks bound student
  code themselves); else a few times what the solution took (``grader.deadlines``,
  measured at release); else ``cell_timeout``; once a cell of the notebook has run past
  its deadline, later cells that are not test cells get less (``grader.deadlines``), so
  a submission that hangs everywhere pays for it about once;
- interrupts a cell past its deadline, and kills the kernel when it ignores the interrupt;
- when the kernel dies, marks that cell failed with a plain message, starts a new kernel,
  runs again the cells before it that had succeeded, and goes on with the next cell;
- runs every kernel in a bubblewrap sandbox (``sandbox``, ``grader.sandbox``) on a copy of
  the notebook's working folder, so student code never reaches the gradebook, other
  submissions or the repository, and nothing it starts outlives its kernel;
- before each graded test cell, asks the guard (on the control channel) to put back what
  student code tampered with (netkit's modules, names, code objects, defaults, closures and
  attributes, builtins, the standard modules the checks use, the import system, IPython's
  and ipykernel's machinery) and to run the test cell as sent; a test cell that cannot be
  proven to have run so scores 0, and both are flagged ``tampering`` (``cell_flags``);
- caps the memory a kernel may allocate (``memory_limit``), so a runaway loop gets a
  MemoryError in its own cell instead of starving the other submissions being graded, and the
  disk its job folder takes (``job_size_limit``): past it the kernel is stopped, its files deleted;
- moves a passing test cell's stderr to stdout, so a correct solution that logs to
  stderr keeps its points (nbgrader scores any stderr output as a failure).
"""

import ast
import asyncio
import hashlib
import hmac
import json
import re
import secrets
import subprocess
import textwrap
import time
from pathlib import Path
from queue import Empty

from nbclient import NotebookClient
from nbclient.util import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Enum, Float, Integer, Unicode

from netkit.policy import HUNG_SCALE as SCRATCH_SCALE_AFTER_HANG  # a cell the solution does not have

from . import deadlines, sandbox
from .cells import is_test_cell

# Run silently at each kernel's start, before any student code: import all of netkit and remember
# the pristine state (netkit's modules, the code, defaults, closures and attributes of its functions
# and classes, builtins, the standard modules the checks use, the import system, IPython's and
# ipykernel's execution machinery) in a guard. The guard answers on the kernel's *control* channel
# (its own thread, which no cell-rewriting hook sits in front of), restores what changed and says
# what it restored, signing each reply with a key handed to the grader once, here. A test cell is
# then run by a runner captured here, which compiles and executes the cell as sent and records how
# it ended; the grader asks the guard for that record afterwards. What cannot be proven to have run
# earns nothing (grader side, ``RobustExecute._execute_test_cell``).
PROLOGUE = r"""
def __make_guard():
    import builtins, hashlib, hmac, importlib, importlib.util, json, os, pkgutil, resource, secrets, sys, threading, types
    from IPython.core.inputtransformer2 import TransformerManager
    os.environ["NETKIT_GRADING"] = "1"  # netkit's checks: a hang costs its deadline once (checks/_base.py)
    if {memory} > 0:  # a runaway allocation raises MemoryError here instead of starving the machine
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        limit = {memory} if hard == resource.RLIM_INFINITY else min({memory}, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    import netkit
    for info in pkgutil.walk_packages(netkit.__path__, "netkit."):
        try:
            importlib.import_module(info.name)
        except Exception:
            pass
    for name in netkit.__all__:  # netkit binds its names on first use: bind them all now
        getattr(netkit, name, None)
    for name in {stdlib!r}:
        try:
            importlib.import_module(name)
        except Exception:
            pass
    shell = get_ipython()
    kernel = shell.kernel
    key = secrets.token_hex(32)
    MISSING = object()
    FUNCS = (types.FunctionType,)
    WRAPPERS = (staticmethod, classmethod)
    specs = [importlib.util.find_spec(n) for n in ("matplotlib_inline", "matplotlib", "ipykernel", "IPython")]
    homes = tuple(s.submodule_search_locations[0] + os.sep for s in specs if s and s.submodule_search_locations)
    trusted = lambda f: getattr(getattr(getattr(f, "__func__", f), "__code__", None), "co_filename", "").startswith(homes)
    ours = lambda obj: (getattr(obj, "__module__", None) or "").split(".")[0] == "netkit"

    # -- netkit's functions and classes, kept by identity, with what identity does not cover
    functions, classes, seen = [], [], set()

    def visit(obj):
        if id(obj) in seen:
            return
        if isinstance(obj, WRAPPERS):
            return visit(obj.__func__)
        if isinstance(obj, property):
            for part in (obj.fget, obj.fset, obj.fdel):
                if part is not None:
                    visit(part)
            return
        if isinstance(obj, FUNCS) and ours(obj):
            seen.add(id(obj))
            cells = tuple(c.cell_contents if _full(c) else MISSING for c in obj.__closure__ or ())
            kw = obj.__kwdefaults__
            functions.append((obj, obj.__code__, obj.__defaults__, kw, dict(kw or {{}}), obj.__dict__, dict(obj.__dict__), cells))
            for value in (*(c for c in cells if c is not MISSING), *obj.__dict__.values()):
                visit(value)
        elif isinstance(obj, type) and ours(obj):
            seen.add(id(obj))
            classes.append((obj, dict(vars(obj))))
            for value in list(vars(obj).values()):
                visit(value)

    def _full(cell):
        try:
            cell.cell_contents
            return True
        except ValueError:
            return False

    pristine_modules = {{name: (module, dict(module.__dict__)) for name, module in sys.modules.items()
                        if name == "netkit" or name.startswith("netkit.")}}
    for module, namespace in pristine_modules.values():
        for value in namespace.values():
            visit(value)
    callable_like = lambda v: callable(v) or isinstance(v, (types.ModuleType, *WRAPPERS, property))
    stdlib = {{name: (sys.modules[name], {{k: v for k, v in vars(sys.modules[name]).items() if callable_like(v)}})
              for name in {stdlib!r} if name in sys.modules}}
    # IPython and ipykernel swap these in and out around every cell: not the student's doing.
    managed = {{"exit", "quit", "get_ipython", "input", "raw_input", "display", "__IPYTHON__", "dreload", "help", "_", "__", "___"}}
    pristine_builtins = {{k: v for k, v in builtins.__dict__.items() if k not in managed}}
    pristine_path = list(sys.path)
    pristine_meta_path = list(sys.meta_path)
    pristine_path_hooks = list(sys.path_hooks)
    streams = (sys.stdout, sys.stderr, sys.displayhook, sys.excepthook)
    # Lists of hooks that rewrite or watch cells, by owner and attribute: the list object and its items.
    manager = shell.input_transformer_manager
    private = TransformerManager()  # the runner's own, so a hook on the shell's never rewrites a test cell
    hooks = [(owner, attr, getattr(owner, attr), list(getattr(owner, attr))) for owner, attr in (
        (manager, "cleanup_transforms"), (manager, "line_transforms"), (manager, "token_transformers"),
        (private, "cleanup_transforms"), (private, "line_transforms"), (private, "token_transformers"),
        (shell, "input_transformers_post"), (shell, "ast_transformers"))]
    # Parts of the machinery kept by identity (an instance swapped for a look-alike is put back).
    parts = [(owner, attr, getattr(owner, attr)) for owner, attr in (
        (shell, "input_transformer_manager"), (shell, "compile"), (shell, "events"), (shell, "displayhook"),
        (shell, "display_pub"), (shell, "InteractiveTB"), (shell, "SyntaxTB"), (shell, "kernel"),
        (kernel, "shell"), (kernel, "shell_handlers"), (kernel, "control_handlers"), (kernel, "session"))]
    events = {{name: list(callbacks) for name, callbacks in shell.events.callbacks.items()}}
    custom_tb = shell.CustomTB
    # The execution machinery: methods overridden on an instance, or replaced on a class.
    machines = [shell, kernel, shell.compile, shell.displayhook, shell.display_pub, shell.InteractiveTB, shell.events,
                private, kernel.session]
    # An instance attribute that shadows a method of its class overrides it (shell.run_cell = ...).
    shadows = lambda obj, name: any(isinstance(vars(c).get(name), (*FUNCS, *WRAPPERS)) for c in type(obj).__mro__)
    instance_attrs = [(obj, {{k: v for k, v in vars(obj).items() if shadows(obj, k)}}) for obj in machines]
    class_attrs = [(cls, {{k: v for k, v in vars(cls).items() if isinstance(v, (*FUNCS, *WRAPPERS, property))}})
                   for obj in machines for cls in type(obj).__mro__ if cls is not object]
    handler_tables = [(table, dict(table)) for table in (kernel.shell_handlers, kernel.control_handlers)]
    user_ns = shell.user_ns
    transform = private.transform_cell
    cache = shell.compile.cache
    show = shell.showtraceback
    settrace, setprofile, gettrace, getprofile = sys.settrace, sys.setprofile, sys.gettrace, sys.getprofile
    pristine_compile, pristine_exec = builtins.compile, builtins.exec
    staged, outcomes, found = {{}}, {{}}, []

    def put_back(namespace, pristine, where, flag, skip=()):
        for name in [n for n in namespace if n not in pristine and n not in skip]:
            if flag and callable_like(namespace[name]):
                found.append(f"{{where}}.{{name}} was added")
            del namespace[name]
        for name, value in pristine.items():
            if namespace.get(name, MISSING) is not value:
                if flag and (callable_like(value) or callable_like(namespace.get(name))):
                    found.append(f"{{where}}.{{name}} was replaced")
                namespace[name] = value

    def restore():
        found.clear()
        # The guard itself first: the name the grader's call looks up, and what its own functions close over
        # (a student can reach both with plain attribute access: globals(), __closure__, cell_contents).
        if user_ns.get("{name}", MISSING) is not run:
            found.append("the grader's runner of test cells was replaced")
            user_ns["{name}"] = run
        for fn, code, defaults, kw, cells in own:
            if fn.__code__ is not code or fn.__defaults__ is not defaults or fn.__kwdefaults__ is not kw:
                found.append(f"the grader's own {{fn.__name__}}() was changed")
                fn.__code__, fn.__defaults__, fn.__kwdefaults__ = code, defaults, kw
            for cell, value in zip(fn.__closure__ or (), cells):
                if (cell.cell_contents if _full(cell) else MISSING) is not value:
                    found.append(f"what the grader's own {{fn.__name__}}() uses was replaced")
                    if value is MISSING:
                        del cell.cell_contents
                    else:
                        cell.cell_contents = value
        put_back(builtins.__dict__, pristine_builtins, "builtins", True, skip=managed)
        for name in [m for m in sys.modules if m.split(".")[0] == "netkit" and m not in pristine_modules]:
            found.append(f"sys.modules[{{name!r}}] was added")
            del sys.modules[name]
        for name, (module, namespace) in pristine_modules.items():
            if sys.modules.get(name) is not module:
                found.append(f"sys.modules[{{name!r}}] was replaced")
                sys.modules[name] = module
            # netkit's own counters change as it runs: only its functions, classes and modules are flagged
            put_back(module.__dict__, namespace, name, True)
        for fn, code, defaults, kw, kw_items, attrs, attr_items, cells in functions:
            name = f"{{fn.__module__}}.{{fn.__qualname__}}"
            if fn.__code__ is not code:
                fn.__code__ = code
                found.append(f"the code of {{name}} was replaced")
            if fn.__defaults__ is not defaults:
                fn.__defaults__ = defaults
                found.append(f"the defaults of {{name}} were replaced")
            current = fn.__kwdefaults__
            if current is not kw or (kw is not None and (kw.keys() != kw_items.keys() or any(kw[k] is not v for k, v in kw_items.items()))):
                if kw is not None:
                    kw.clear()
                    kw.update(kw_items)
                fn.__kwdefaults__ = kw
                found.append(f"the keyword defaults of {{name}} were replaced")
            if fn.__dict__ is not attrs:
                fn.__dict__ = attrs
            put_back(attrs, attr_items, name, True)
            for index, (cell, value) in enumerate(zip(fn.__closure__ or (), cells)):
                now = cell.cell_contents if _full(cell) else MISSING
                if now is not value:
                    found.append(f"a variable {{name}} closes over ({{fn.__code__.co_freevars[index]}}) was replaced")
                    if value is MISSING:
                        del cell.cell_contents
                    else:
                        cell.cell_contents = value
        for cls, saved in classes:
            where = f"{{cls.__module__}}.{{cls.__qualname__}}"
            for name in [n for n in vars(cls) if n not in saved]:
                found.append(f"{{where}}.{{name}} was added")
                delattr(cls, name)
            for name, value in saved.items():
                if vars(cls).get(name, MISSING) is not value:
                    found.append(f"{{where}}.{{name}} was replaced")
                    setattr(cls, name, value)
        for name, (module, saved) in stdlib.items():
            for key_, value in saved.items():
                if vars(module).get(key_, MISSING) is not value:
                    found.append(f"{{name}}.{{key_}} was replaced")
                    setattr(module, key_, value)
        if threading._trace_hook is not None or threading._profile_hook is not None:
            found.append("threading.settrace or setprofile was set")
            threading.settrace(None)
            threading.setprofile(None)
        for saved, current, name in ((pristine_path, sys.path, "sys.path"), (pristine_meta_path, sys.meta_path, "sys.meta_path"),
                                     (pristine_path_hooks, sys.path_hooks, "sys.path_hooks")):
            if name != "sys.path" and (len(saved) != len(current) or any(a is not b for a, b in zip(saved, current))):
                found.append(f"{{name}} was changed")
            current[:] = saved
        if (sys.stdout, sys.stderr, sys.displayhook, sys.excepthook) != streams:
            sys.stdout, sys.stderr, sys.displayhook, sys.excepthook = streams
        for owner, attr, value in parts:
            if getattr(owner, attr) is not value:
                found.append(f"{{type(owner).__name__}}.{{attr}} was replaced")
                setattr(owner, attr, value)
        for owner, attr, value, items in hooks:
            current = getattr(owner, attr)
            if current is not value or len(current) != len(items) or any(a is not b for a, b in zip(current, items)):
                found.append(f"IPython's {{attr}} were changed (they rewrite cells)")
                setattr(owner, attr, value)
                value[:] = items
        for name, saved in events.items():
            current = shell.events.callbacks.setdefault(name, [])
            # matplotlib's inline backend registers and unregisters its own callbacks as pyplot is used
            mine = [c for c in saved if not trusted(c)]
            if [id(c) for c in current if not trusted(c)] != [id(c) for c in mine]:
                found.append(f"IPython's {{name}} event callbacks were changed")
            current[:] = [c for c in current if trusted(c)] + mine
        if shell.custom_exceptions != () or shell.CustomTB is not custom_tb:
            found.append("an exception handler was installed (set_custom_exc)")
        shell.custom_exceptions = ()
        shell.CustomTB = custom_tb
        for obj, saved in instance_attrs:
            put_back_attrs(obj, saved)
        for cls, saved in class_attrs:
            for name, value in saved.items():
                if vars(cls).get(name, MISSING) is not value:
                    found.append(f"{{cls.__name__}}.{{name}} was replaced")
                    setattr(cls, name, value)
        for table, saved in handler_tables:
            put_back(table, saved, "the kernel's message handlers", True)
        return list(dict.fromkeys(found))

    def put_back_attrs(obj, saved):
        for name, value in list(vars(obj).items()):
            if shadows(obj, name) and saved.get(name, MISSING) is not value:
                found.append(f"{{type(obj).__name__}}.{{name}} was replaced")
                if name in saved:
                    setattr(obj, name, saved[name])
                else:
                    delattr(obj, name)

    def run(run_id):
        __tracebackhide__ = True
        source = staged.pop(run_id, None)
        if source is None:  # the guard was not asked before this: put back its handler, so it is asked after
            restore()
            return
        traced = gettrace() is not None or getprofile() is not None
        settrace(None)
        setprofile(None)
        outcomes[run_id] = {{"status": "started", "traced": traced}}
        try:
            code = transform(source)
            code = pristine_compile(code, cache(code, shell.execution_count, raw_code=source), "exec", dont_inherit=True)
            pristine_exec(code, user_ns)
        except BaseException as exc:
            outcomes[run_id] = {{"status": "error", "ename": type(exc).__name__, "evalue": str(exc)[:2000], "traced": traced}}
            tb = exc.__traceback__.tb_next if exc.__traceback__ is not None else None
            try:
                show((type(exc), exc, tb or exc.__traceback__))
            except BaseException:
                pass
            return
        # Looked at again while the runner is still on the stack: a thread that swaps the checks only while
        # it sees the runner running has not put them back yet.
        outcomes[run_id] = {{"status": "ok", "traced": traced, "changed": restore()}}

    def sign(content):
        body = json.dumps(content, sort_keys=True)
        return {{"body": body, "mac": hmac.new(key.encode(), body.encode(), hashlib.sha256).hexdigest()}}

    def handle(stream, ident, parent):
        request = parent["content"]
        reply = {{"nonce": request.get("nonce")}}
        try:
            reply["restored"] = restore()
            if request.get("action") == "before":
                staged[request["run"]] = request["source"]
            else:
                reply["outcome"] = outcomes.pop(request.get("run"), None)
        except Exception as exc:
            reply["failed"] = repr(exc)[:500]
        kernel.session.send(stream, "{name}_reply", sign(reply), parent, ident=ident)

    kernel.control_handlers["{name}_request"] = handle
    own = [(fn, fn.__code__, fn.__defaults__, fn.__kwdefaults__,
            tuple(c.cell_contents if _full(c) else MISSING for c in fn.__closure__ or ()))
           for fn in (run, handle, sign, restore, put_back, put_back_attrs, _full)]
    # Again, now that restore()'s own cell for ``own`` is filled (the same list).
    own[:] = [(fn, code, defaults, kw, tuple(c.cell_contents if _full(c) else MISSING for c in fn.__closure__ or ()))
              for fn, code, defaults, kw, _ in own]
    handler_tables[1][1]["{name}_request"] = handle
    return run, key

{name}, {name}_key = __make_guard()
del __make_guard
"""
# Modules whose functions and classes the checks rely on: replacing one (``time.monotonic = ...``) is put back.
STDLIB = ("socket", "select", "selectors", "struct", "time", "threading", "os", "posixpath", "signal",
          "subprocess", "queue", "io", "errno", "functools", "contextlib", "traceback", "inspect",
          "types", "ipaddress", "resource", "multiprocessing", "pickle", "json", "hashlib", "hmac", "warnings")

KERNEL_DIED = ("The kernel died while running this cell, so it gets no points. Your code may have "
               "called os._exit(), crashed Python or used up the memory. The cells after it were "
               "graded in a fresh kernel.")
DISK_FULL = ("This cell wrote more than {limit:g} MiB of files, so the kernel was stopped and the files deleted; "
             "it gets no points. The cells after it were graded in a fresh kernel.")
IGNORED_INTERRUPT = ("This cell did not finish within {deadline:g} s and ignored the interrupt "
                     "(does your code catch KeyboardInterrupt or BaseException?), so the kernel was "
                     "restarted. The cells after it were graded in a fresh kernel.")
OUT_OF_MEMORY = (" Grading gives a notebook at most {limit:g} GiB of memory: does a loop keep adding "
                 "to a list or to bytes without end?")
NOT_CONFIRMED = ("The grader could not confirm that this test cell ran as written ({why}). Code in this "
                 "notebook changed how the kernel runs cells or what the checks use, so this test earns no points.")
UNDONE = ("[grader] Before this test cell, the grader undid changes that code in this notebook made to "
          "the grading machinery ({what}). Tests always run on the originals, so such changes earn nothing.\n")
TAMPERING_ENAME = "GraderTampering"
SANDBOX_FAILED = "sandbox failed"
TOO_SLOW = "This cell did not finish within {deadline:g} s, so it was interrupted.{where}"
LESS_AFTER_HANG = " (A cell above had already run past its deadline, so this one had less time.)"


def cell_flags(cell, where):
    """(kind, reason) flags the guard left in an executed test cell's outputs."""
    flags = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error" and output.get("ename") == TAMPERING_ENAME:
            found = re.search(r"as written \((.*)\)\. Code in", output.get("evalue", ""), re.S)
            reason = found.group(1) if found else "see the feedback"
            flags.append(("tampering", f"{where}: no points, could not confirm it ran as written ({reason})"))
        elif output.get("output_type") == "stream" and output.get("text", "").startswith(UNDONE.split("(")[0]):
            what = output["text"].split("(", 1)[1].rsplit(")", 1)[0]
            flags.append(("tampering", f"before {where} the grader undid: {what}"))
    return flags


def error_output(ename, evalue, width=100):
    """An error output whose traceback is ``evalue`` wrapped to ``width``, so feedback pages need no scrolling."""
    lines = textwrap.wrap(f"{ename}: {evalue}", width, break_long_words=False, break_on_hyphens=False)
    lines[0] = lines[0].replace(ename, f"\x1b[0;31m{ename}\x1b[0m", 1)
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=["\n".join(lines)])


def where_interrupted(outputs):
    """Where a KeyboardInterrupt traceback stopped, as ' It was at: Cell In[3], line 6, in f(): `...`'.

    The innermost frame of the student's own cells is named, with its line of code, and the
    library call it was inside, if any (``socket.accept``, say); never a page of library source.
    """
    for output in outputs:
        if output.get("output_type") == "error" and output.get("ename") == "KeyboardInterrupt":
            frames = [re.sub(r"\x1b\[[0-9;]*m", "", entry) for entry in output.get("traceback", [])]
            frames = [entry for entry in frames if re.search(r"^\s*-+>", entry, re.M)]
            if not frames:
                return ""
            own = [entry for entry in frames if entry.startswith("Cell In")]
            chosen = own[-1] if own else frames[-1]
            arrow = next(line for line in chosen.splitlines() if re.match(r"\s*-+>", line))
            code = re.sub(r"^\s*-+>\s*\d*\s?", "", arrow).strip()
            where = f" It was at: {chosen.splitlines()[0]}: `{code}`"
            if chosen is not frames[-1] and ", in " in frames[-1].splitlines()[0]:
                where += f", inside {frames[-1].splitlines()[0].rsplit(', in ', 1)[1]}"
            return where + "."
    return ""


class RobustExecute(Execute):
    """nbgrader's Execute with per-cell deadlines, kernel restarts and tamper guards."""

    cell_timeout = Float(10.0, help="Seconds a cell the solution does not have may run.").tag(config=True)
    test_cell_timeout = Float(60.0, help="Seconds a graded test cell may run.").tag(config=True)
    interrupt_grace = Float(2.0, help="Seconds to wait for an interrupted cell to stop.").tag(config=True)
    memory_limit = Float(4.0, help="GiB of memory a kernel (and the code it forks) may allocate; 0: no limit.").tag(config=True)
    deadlines_file = Unicode("", help="JSON of solution cell times written at release.").tag(config=True)
    sandbox = Enum(["bwrap", "none"], "bwrap", help="Where kernels run: 'bwrap' (grader/sandbox.py) or 'none' "
                   "(the grader's own rights; every row is flagged 'no sandbox').").tag(config=True)
    process_limit = Integer(256, help="Processes a sandboxed kernel's user may run (RLIMIT_NPROC; not enforced for root).").tag(config=True)
    open_files_limit = Integer(1024, help="Open files per process in the sandbox (RLIMIT_NOFILE).").tag(config=True)
    file_size_limit = Float(256.0, help="MiB a file written in the sandbox may reach (RLIMIT_FSIZE).").tag(config=True)
    tmp_size_limit = Float(512.0, help="MiB the sandbox's /tmp, and its /dev/shm, may each hold (host memory).").tag(config=True)
    job_size_limit = Float(1024.0, help="MiB a sandboxed kernel may write into its job folder, on the host's disk; "
                           "past it the kernel is stopped and what it wrote deleted (0: no limit).").tag(config=True)
    cpu_time_limit = Integer(900, help="CPU seconds a sandboxed kernel may use (RLIMIT_CPU); then it is restarted.").tag(config=True)
    guard_timeout = Float(10.0, help="Seconds the guard may take to answer before a test cell.").tag(config=True)
    output_limit = Integer(100_000, help="Characters of a cell's printed output kept; the rest is dropped with a "
                           "note (error outputs are always kept: they decide a test cell).").tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        NotebookClient.__init__(self, nb, km)
        self._check_assign_resources(resources)
        self.iopub_timeout = self.interrupt_grace
        self.shutdown_kernel = "immediate"
        self.error_on_timeout = {"ename": "CellTimeoutError", "evalue": "", "traceback": []}
        self._guard_name = f"_grader_guard_{secrets.token_hex(8)}"
        assignment = (resources or {}).get("nbgrader", {}).get("assignment")
        tables = deadlines.load(Path(self.deadlines_file)) if self.deadlines_file else {}
        self._solution_times = tables.get(assignment, {})
        self._hung = False  # has a cell of this notebook run past its deadline?
        self._printed = {}  # cell index -> characters of output kept (output_limit)
        self._job = None
        if self.sandbox == "bwrap":
            sandbox.probe_once()  # plain nbgrader: a machine without bwrap stops here, saying what to do
            # The kernel gets a copy of the notebook's working folder, never the folder itself.
            self._job = sandbox.Job((resources or {}).get("metadata", {}).get("path"))
        try:
            run_sync(self.async_execute)()
        finally:
            if self._job is not None:
                self._job.remove()
        return self.nb, self.resources

    def create_kernel_manager(self):
        if self._job is not None:
            self.kernel_manager_class = sandbox.SandboxKernelManager
        km = super().create_kernel_manager()
        if self._job is not None:
            km.job = self._job
            km.rlimits = sandbox.limits(memory=self.memory_limit * 2**30, processes=self.process_limit,
                                        open_files=self.open_files_limit, file_size=self.file_size_limit * 2**20,
                                        cpu_seconds=self.cpu_time_limit)
            km.tmp_size = self.tmp_size_limit * 2**20
        return km

    def deadline(self, cell, after_hang=None):
        """Seconds ``cell`` may run; ``after_hang`` (default: has this notebook hung?) lowers it."""
        explicit = cell.metadata.get("deadline")
        if explicit:
            return float(explicit)
        if is_test_cell(cell):
            return self.test_cell_timeout
        after_hang = self._hung if after_hang is None else after_hang
        learned = deadlines.deadline_for(cell, self._solution_times, after_hang=after_hang)
        if learned is not None:
            return learned
        return self.cell_timeout * (SCRATCH_SCALE_AFTER_HANG if after_hang else 1.0)

    def _get_timeout(self, cell):
        return self.deadline(cell) if cell is not None else self.timeout

    async def _run_silently(self, code, timeout, user_expressions=None):
        """Run ``code`` without a trace in the notebook; raise TimeoutError if it outlives ``timeout``."""
        msg_id = await ensure_async(self.kc.execute(code, silent=True, store_history=False,
                                                    user_expressions=user_expressions))
        end = time.monotonic() + timeout
        while True:
            remaining = end - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no reply within {timeout} s")
            try:
                msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=min(remaining, 1.0)))
            except Empty:
                await self._async_check_alive()
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    async def _start(self, **kwargs):
        # The kernel's own log lines (and C-level writes to fd 2) would only clutter the grader's terminal.
        kwargs.setdefault("stderr", subprocess.DEVNULL)
        try:
            await self.async_start_new_kernel(**kwargs)
            await self.async_start_new_kernel_client()
        except Exception as exc:
            if self._job is None:
                raise
            why = self._job.stderr_tail() or str(exc)
            raise sandbox.SandboxFailed(f"{SANDBOX_FAILED}: the kernel could not start in the sandbox: {why}") from None
        prologue = PROLOGUE.format(name=self._guard_name, memory=int(self.memory_limit * 2**30), stdlib=STDLIB)
        reply = await self._run_silently(prologue, timeout=30, user_expressions={"key": f"{self._guard_name}_key"})
        # The guard's key comes back once, before any student code runs; later replies are signed with it.
        key = reply["content"].get("user_expressions", {}).get("key", {})
        if key.get("status") != "ok":
            raise RuntimeError(f"the grader's prologue failed in the kernel: {reply['content']}")
        self._guard_key = ast.literal_eval(key["data"]["text/plain"]).encode()
        await self._run_silently(f"del {self._guard_name}_key", timeout=10)

    async def _guard(self, action, run, source=None):
        """Ask the guard on the control channel to restore what changed; its signed reply, or None if none came."""
        nonce = secrets.token_hex(16)
        content = {"action": action, "run": run, "nonce": nonce}
        if source is not None:
            content["source"] = source
        msg = self.kc.session.msg(f"{self._guard_name}_request", content)
        self.kc.control_channel.send(msg)
        end = time.monotonic() + self.guard_timeout
        while (remaining := end - time.monotonic()) > 0:
            try:
                reply = await ensure_async(self.kc.control_channel.get_msg(timeout=min(remaining, 1.0)))
            except Empty:
                if not await ensure_async(self.km.is_alive()):
                    raise DeadKernelError("the kernel died")
                continue
            if reply["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
                continue
            body, mac = reply["content"].get("body", ""), reply["content"].get("mac", "")
            expected = hmac.new(self._guard_key, body.encode(), hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, str(mac)):
                return None
            answer = json.loads(body)
            return answer if answer.get("nonce") == nonce and "failed" not in answer else None
        return None

    async def _stop(self):
        await self._async_cleanup_kernel()

    def output(self, outs, msg, display_id, cell_index):
        """nbclient's output hook, with a budget: a cell that floods keeps output_limit characters and a note.

        (nbgrader's LimitOutput counts lines, and a flood of 70 KB lines made a 70 MB notebook.)
        """
        if msg["msg_type"] == "error":  # a test cell's verdict: never dropped
            return super().output(outs, msg, display_id, cell_index)
        used = self._printed.get(cell_index, 0) if outs else 0  # outputs cleared: a fresh budget
        if used >= self.output_limit:
            return None
        out = super().output(outs, msg, display_id, cell_index)
        if out is None:
            return None
        room = self.output_limit - used
        if out.get("output_type") == "stream" and len(out.text) > room:
            out.text = out.text[:room]
        self._printed[cell_index] = used + len(json.dumps(out))
        if self._printed[cell_index] >= self.output_limit:
            outs.append(NotebookNode(output_type="stream", name="stdout", text=(
                f"\n[The grader kept the first {self.output_limit:,} characters of this cell's output and "
                "dropped the rest.]\n")))
        return out

    async def async_execute(self, reset_kc=False, **kwargs):
        """Execute every cell; a dead or unresponsive kernel costs only the cell that killed it."""
        self.reset_execution_trackers()
        self.km = self.create_kernel_manager()
        await self._start(**kwargs)
        succeeded = []
        self._over_disk = False
        watcher = asyncio.ensure_future(self._watch_job()) if self._job is not None and self.job_size_limit > 0 else None
        try:
            for index, cell in enumerate(self.nb.cells):
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                fatal = await self._execute_one(cell, index)
                if fatal and self._over_disk:
                    fatal = DISK_FULL.format(limit=self.job_size_limit)
                if fatal:
                    cell.outputs = [o for o in cell.outputs if o.get("output_type") == "stream"]
                    cell.outputs.append(error_output("KernelRestarted", fatal))
                    await self._restart(succeeded, **kwargs)
                elif not any(o.get("output_type") == "error" for o in cell.outputs):
                    succeeded.append(index)
        finally:
            if watcher is not None:
                watcher.cancel()
            await self._stop()
        self.set_widgets_metadata()
        return self.nb

    async def _watch_job(self):
        """Stop the kernel once its job folder outgrows ``job_size_limit``: nothing else caps the host disk it fills."""
        limit = self.job_size_limit * 2**20
        while True:
            await asyncio.sleep(0.25)
            if not self._over_disk and self._job.used(limit) > limit:  # a walk bounded by its entries: no thread needed
                self._over_disk = True
                try:
                    await ensure_async(self.km._kill_kernel())
                except Exception:  # already gone: the cell sees a dead kernel all the same
                    pass

    async def _execute_one(self, cell, index):
        """Run one cell; return a message if the kernel had to be replaced, else None."""
        deadline = self.deadline(cell)
        try:
            if is_test_cell(cell):
                return await self._execute_test_cell(cell, index, deadline)
            await self.async_execute_cell(cell, index, execution_count=self.code_cells_executed + 1)
        except DeadKernelError:
            return KERNEL_DIED
        except (CellTimeoutError, TimeoutError):
            self._hung = True
            return IGNORED_INTERRUPT.format(deadline=deadline)
        if not await ensure_async(self.km.is_alive()):
            return KERNEL_DIED
        self._tidy_outputs(cell, deadline)
        return None

    async def _execute_test_cell(self, cell, index, deadline):
        """Run a test cell through the guard: restore, run it as sent, and confirm it ran; else no points."""
        run = secrets.token_hex(8)
        before = await self._guard("before", run, source=cell.source)
        if before is None:
            cell.outputs = [error_output(TAMPERING_ENAME, NOT_CONFIRMED.format(why="the guard did not answer before it"))]
            return None
        source = cell.source
        cell.source = f"{self._guard_name}({run!r})"  # the runner compiles and runs the staged source itself
        try:
            await self.async_execute_cell(cell, index, execution_count=self.code_cells_executed + 1)
        finally:
            cell.source = source
        if not await ensure_async(self.km.is_alive()):
            return KERNEL_DIED
        self._tidy_outputs(cell, deadline)
        timed_out = any(o.get("ename") == "CellTimeoutError" for o in cell.outputs if o.get("output_type") == "error")
        after = None if timed_out else await self._guard("after", run)
        outcome = (after or {}).get("outcome") or {}
        why = None
        if timed_out:
            pass  # interrupted: it fails anyway, and the guard runs again before the next test cell
        elif after is None:
            why = "the guard did not answer after it"
        elif outcome.get("status") not in ("ok", "error"):
            why = "the cell that ran was not the test cell" if not outcome else "the test cell did not run to its end"
        elif outcome.get("traced"):
            why = "a trace function (sys.settrace) was watching the kernel"
        elif after.get("restored") or outcome.get("changed"):
            why = "while it ran, something changed: " + "; ".join((outcome.get("changed") or after["restored"])[:5])
        elif outcome["status"] == "error" and not any(o.get("output_type") == "error" for o in cell.outputs):
            cell.outputs.append(error_output(outcome["ename"], outcome.get("evalue", "")))
        if why:
            cell.outputs = [o for o in cell.outputs if o.get("output_type") != "error"]
            cell.outputs.append(error_output(TAMPERING_ENAME, NOT_CONFIRMED.format(why=why)))
        if before.get("restored"):
            cell.outputs.insert(0, NotebookNode(output_type="stream", name="stdout",
                                                text=UNDONE.format(what="; ".join(before["restored"][:8]))))
        return None

    def _tidy_outputs(self, cell, deadline):
        errors = [o for o in cell.outputs if o.get("output_type") == "error"]
        if any(o.get("ename") == "CellTimeoutError" for o in errors):
            message = TOO_SLOW.format(deadline=deadline, where=where_interrupted(cell.outputs))
            if self._hung and not is_test_cell(cell):
                message += LESS_AFTER_HANG
            self._hung = True
            cell.outputs = [o for o in cell.outputs if o.get("output_type") != "error"]
            cell.outputs.append(error_output("CellTimeoutError", message))
        elif any(o.get("ename") == "MemoryError" for o in errors) and self.memory_limit > 0:
            note = OUT_OF_MEMORY.format(limit=self.memory_limit)
            for output in (o for o in errors if o.get("ename") == "MemoryError"):
                output["evalue"] = (output.get("evalue") or "") + note
                output["traceback"] = [*output.get("traceback", []), note.strip()]
        elif is_test_cell(cell) and not errors:
            for output in cell.outputs:
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    output["name"] = "stdout"

    async def _restart(self, succeeded, **kwargs):
        """A new kernel, brought to where the old one was by re-running the cells that had succeeded."""
        await self._stop()
        if self._over_disk:
            self._job.clear()
            self._over_disk = False
        self.km = self.create_kernel_manager()
        await self._start(**kwargs)
        for index in succeeded:
            cell = self.nb.cells[index]
            try:
                # Replayed cells succeeded before: they get the full deadline, even after a hang.
                await self._run_silently(cell.source, timeout=self.deadline(cell, after_hang=False))
            except Exception:  # a replayed cell that fails now is graded as it was the first time
                if not await ensure_async(self.km.is_alive()):
                    await self._stop()
                    self.km = self.create_kernel_manager()
                    await self._start(**kwargs)
