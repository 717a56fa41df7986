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
- before each graded test cell, silently puts back what student code may have tampered
  with (netkit's modules and their names, builtins, ``sys.path``, IPython's hooks), so a
  mock in place of netkit or a check replaced by a no-op earns nothing;
- caps the memory a kernel may allocate (``memory_limit``), so a runaway loop gets a
  MemoryError in its own cell instead of starving the other submissions being graded;
- moves a passing test cell's stderr to stdout, so a correct solution that logs to
  stderr keeps its points (nbgrader scores any stderr output as a failure).
"""

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
from traitlets import Float, Unicode

from . import deadlines

# Run silently at each kernel's start: import all of netkit and remember the pristine state
# (modules, builtins, import system, IPython's hooks) in a guard with an unguessable name.
# The guard restores objects in place rather than re-importing, so classes keep their identity.
PROLOGUE = '''
def __make_guard():
    import builtins, importlib, os, pkgutil, resource, sys
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
    shell = get_ipython()
    pristine_modules = {name: (module, dict(module.__dict__)) for name, module in sys.modules.items()
                        if name == "netkit" or name.startswith("netkit.")}
    pristine_builtins = dict(builtins.__dict__)
    pristine_path = list(sys.path)
    pristine_meta_path = list(sys.meta_path)
    streams = (sys.stdout, sys.stderr, sys.displayhook, sys.excepthook)
    hooks = {
        "input_transformers_cleanup": list(shell.input_transformers_cleanup),
        "input_transformers_post": list(shell.input_transformers_post),
        "ast_transformers": list(shell.ast_transformers),
    }
    events = {name: list(callbacks) for name, callbacks in shell.events.callbacks.items()}
    custom_tb = shell.CustomTB

    def restore(namespace, pristine):
        for name, value in pristine.items():
            if namespace.get(name) is not value:
                namespace[name] = value

    def guard():
        restore(builtins.__dict__, pristine_builtins)
        for name in [m for m in sys.modules if m.split(".")[0] == "netkit" and m not in pristine_modules]:
            del sys.modules[name]
        for name, (module, namespace) in pristine_modules.items():
            sys.modules[name] = module
            restore(module.__dict__, namespace)
        sys.path[:] = pristine_path
        sys.meta_path[:] = pristine_meta_path
        sys.stdout, sys.stderr, sys.displayhook, sys.excepthook = streams
        for name, saved in hooks.items():
            getattr(shell, name)[:] = saved
        for name, saved in events.items():
            shell.events.callbacks[name][:] = saved
        shell.custom_exceptions = ()
        shell.CustomTB = custom_tb
    return guard

{name} = __make_guard()
del __make_guard
'''

KERNEL_DIED = ("The kernel died while running this cell, so it gets no points. Your code may have "
               "called os._exit(), crashed Python or used up the memory. The cells after it were "
               "graded in a fresh kernel.")
IGNORED_INTERRUPT = ("This cell did not finish within {deadline:g} s and ignored the interrupt "
                     "(does your code catch KeyboardInterrupt or BaseException?), so the kernel was "
                     "restarted. The cells after it were graded in a fresh kernel.")
SCRATCH_SCALE_AFTER_HANG = 0.25  # a cell the solution does not have, once the notebook has hung
OUT_OF_MEMORY = (" Grading gives a notebook at most {limit:g} GiB of memory: does a loop keep adding "
                 "to a list or to bytes without end?")
TOO_SLOW = "This cell did not finish within {deadline:g} s, so it was interrupted.{where}"
LESS_AFTER_HANG = " (A cell above had already run past its deadline, so this one had less time.)"


def is_test_cell(cell):
    return cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade", False)


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
        run_sync(self.async_execute)()
        return self.nb, self.resources

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

    async def _run_silently(self, code, timeout):
        """Run ``code`` without a trace in the notebook; raise TimeoutError if it outlives ``timeout``."""
        msg_id = await ensure_async(self.kc.execute(code, silent=True, store_history=False))
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
        await self.async_start_new_kernel(**kwargs)
        await self.async_start_new_kernel_client()
        prologue = PROLOGUE.replace("{name}", self._guard_name).replace("{memory}", str(int(self.memory_limit * 2**30)))
        await self._run_silently(prologue, timeout=30)

    async def _stop(self):
        await self._async_cleanup_kernel()

    async def async_execute(self, reset_kc=False, **kwargs):
        """Execute every cell; a dead or unresponsive kernel costs only the cell that killed it."""
        self.reset_execution_trackers()
        self.km = self.create_kernel_manager()
        await self._start(**kwargs)
        succeeded = []
        try:
            for index, cell in enumerate(self.nb.cells):
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                fatal = await self._execute_one(cell, index)
                if fatal:
                    cell.outputs = [o for o in cell.outputs if o.get("output_type") == "stream"]
                    cell.outputs.append(error_output("KernelRestarted", fatal))
                    await self._restart(succeeded, **kwargs)
                elif not any(o.get("output_type") == "error" for o in cell.outputs):
                    succeeded.append(index)
        finally:
            await self._stop()
        self.set_widgets_metadata()
        return self.nb

    async def _execute_one(self, cell, index):
        """Run one cell; return a message if the kernel had to be replaced, else None."""
        deadline = self.deadline(cell)
        try:
            if is_test_cell(cell):
                await self._run_silently(f"{self._guard_name}()", timeout=10)
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
