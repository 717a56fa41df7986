"""The student's experience in a real browser: the student edition, Binder's build, JupyterLab 4, Chromium.

Builds what Binder builds from the student edition, the way it would on this machine:
``python -m grader publish`` writes the edition into a temporary folder (Binder's home: the
edition's repository), a fresh virtual environment gets the edition's ``environment.yml``
pip section (``-e .`` installs the edition's own netkit, without the hidden checks), and the
edition's ``postBuild`` runs with that environment's python. Nothing of this repository is
installed there. Starts JupyterLab in the edition on a free loopback port and drives
Debian's Chromium with Playwright, as a student would:

* the Binder link's page (``lab/tree/START.md``) shows the start page, whose first link
  opens the first student notebook;
* every student notebook runs top to bottom (Run All Cells, then on past each failing
  check with "Run Selected Cell and All Below", as a student continues), and the saved
  notebook shows only the failing exercises' own messages;
* the byte-order explorer of 03 renders and updates when a value is typed, and a wire
  diagram (netkit.wire's SVG) renders;
* one exercise is solved through the browser (typed into its cell), its checks pass,
  and nbgrader's Validate button lists only the exercises still failing.

Screenshots go to ``build/screenshots/``. Without ``/usr/bin/chromium`` (Debian's
``chromium`` package) the test is skipped, and says so.
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from grader.notebook_run import CHECK_ERRORS
from grader.paths import REPO, assignments

CHROMIUM = Path("/usr/bin/chromium")
SKIP_MESSAGE = "browser test skipped: Debian's chromium is not installed; see README"
# What Chromium needs on this machine besides Playwright's own flags (which add
# --headless, --no-sandbox and a new --user-data-dir): no calls home, no GPU, no QUIC.
CHROMIUM_FLAGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
SCREENSHOTS = REPO / "build" / "screenshots"
NAMES = assignments()

STDERR = 'application/vnd.jupyter.stderr'
# Errors a blank student notebook may show: the checks' in graded test cells, and in
# "tryit" cells the student's unwritten function (or a check helper it calls).
TRYIT_ERRORS = CHECK_ERRORS | {"NotImplementedError"}

# The exercise solved through the browser: notebook 03's int_to_ip, written as a student might.
SOLVED = {
    "notebook": "03-byte-order",
    "marker": "def int_to_ip(number):",
    "code": ('def int_to_ip(number):\n'
             '    if number < 0 or number >= 2 ** 32:\n'
             '        raise ValueError(f"{number} does not fit in 32 bits")\n'
             '    return ".".join(str((number >> shift) & 255) for shift in (24, 16, 8, 0))'),
    "tryit": "print(int_to_ip(0x9db5a120))",
    "tryit_shows": "157.181.161.32",  # its next line needs ip_to_int, not solved here
    "check": "check_int_to_ip(int_to_ip)",
    "still_failing": "check_ip_to_int(ip_to_int)",
}

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(1800)]


# ---------------------------------------------------------------------------------------
# The Binder-like environment


def binder_pip_requirements(edition):
    """The edition's environment.yml pip section as pip arguments, ``-e .`` pointing at the edition."""
    env = yaml.safe_load((edition / "environment.yml").read_text())
    sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert sections, "the edition's environment.yml has no pip section"
    args = []
    for requirement in sections[0]:
        if requirement.startswith("-e "):
            args += ["-e", str((edition / requirement[3:].strip()).resolve())]
        else:
            args.append(requirement)
    return args


def binder_python(edition):
    """The python of the edition's environment.yml (``python=3.11``) as a command: python3.11."""
    env = yaml.safe_load((edition / "environment.yml").read_text())
    for dep in env["dependencies"]:
        if isinstance(dep, str) and (m := re.fullmatch(r"python\s*=+\s*(\d+\.\d+)\S*", dep)):
            return shutil.which(f"python{m.group(1)}") or sys.executable
    return sys.executable


def publish_edition(edition):
    """The student edition, written by the instructor's install (this python) as an instructor would."""
    done = subprocess.run([sys.executable, "-m", "grader", "publish", str(edition)],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"publish failed:\n{done.stdout}\n{done.stderr}"


def binder_venv(edition, venv):
    """A fresh venv at ``venv`` with the edition's environment.yml pip section installed."""
    subprocess.run([binder_python(edition), "-m", "venv", str(venv)], check=True)
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                          "--disable-pip-version-check", *binder_pip_requirements(edition)],
                         cwd=edition, capture_output=True, text=True, timeout=1200)
    assert pip.returncode == 0, f"pip could not install the edition's environment.yml:\n{pip.stderr[-3000:]}"
    return venv


def clean_env(venv, home):
    """The environment of a Binder session: its venv first on PATH, its own HOME, no Jupyter paths."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "PYTHON", "IPYTHON", "VIRTUAL_ENV", "MPL"))}
    env.update(HOME=str(home), PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
               JUPYTER_RUNTIME_DIR=str(home / ".runtime"), PYTHONUNBUFFERED="1")
    return env


def post_build(venv, home):
    """Run the edition's postBuild from its root with the venv's python, as Binder does."""
    done = subprocess.run([str(venv / "bin" / "python"), str(home / "postBuild")],
                          cwd=home, env=clean_env(venv, home), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"postBuild failed:\n{done.stdout}\n{done.stderr}"


# ---------------------------------------------------------------------------------------
# JupyterLab


class Lab:
    """A running JupyterLab: its base URL and its REST API."""

    def __init__(self, url, token):
        self.url, self.token = url, token

    def api(self, path, method="GET", timeout=10):
        request = urllib.request.Request(f"{self.url}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def session(self, path):
        return next((s for s in self.api("sessions") if s["path"] == path), None)

    def notebook(self, path):
        return self.api(f"contents/{path}?content=1")["content"]


def _answering(url, token):
    try:
        with urllib.request.urlopen(urllib.request.Request(
                f"{url}/api/status", headers={"Authorization": f"token {token}"}), timeout=2) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def jupyter_lab(venv, home, log_path, timeout=120):
    """JupyterLab on 127.0.0.1, a port the OS picks (port 0), answering its API; stopped after."""
    token = secrets.token_hex(24)
    env = clean_env(venv, home)
    runtime = Path(env["JUPYTER_RUNTIME_DIR"])
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [str(venv / "bin" / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1", "--port=0",
             "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={home}",
             *(["--allow-root"] if os.geteuid() == 0 else [])],  # CI runs as root
            cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        end = time.monotonic() + timeout
        url = None
        while time.monotonic() < end:
            assert server.poll() is None, f"JupyterLab exited ({server.returncode}):\n{log_path.read_text()}"
            info = runtime / f"jpserver-{server.pid}.json"
            if url is None and info.exists():
                with contextlib.suppress(ValueError):
                    url = f"http://127.0.0.1:{json.loads(info.read_text())['port']}"
            if url and _answering(url, token):
                break
            time.sleep(0.1)
        else:
            raise AssertionError(f"JupyterLab did not answer within {timeout}s:\n{log_path.read_text()}")
        yield Lab(url, token)
    finally:
        server.send_signal(signal.SIGTERM)  # a clean stop shuts its kernels down
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# ---------------------------------------------------------------------------------------
# What a student does in the page


def shot(page, name):
    # Cells scrolled into view are painted on the next frames (content-visibility): wait for two.
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def notebook_panel(page):
    return page.locator(".jp-NotebookPanel:visible").first


def code_cells(page):
    return notebook_panel(page).locator(".jp-Cell.jp-CodeCell")


def menu(page, top, item):
    """Click the menu bar's ``top`` menu, then its entry labelled ``item``, as a person does."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{re.escape(top)}$")).click()
    label = page.locator(".lm-Menu-itemLabel", has_text=re.compile(rf"^{re.escape(item)}$"))
    page.locator(".lm-Menu-item:visible").filter(has=label).first.click()


def prompts(page):
    """Each code cell's input prompt ("[3]:", "[*]:" or "[ ]:") and whether it holds any code, in order."""
    return page.evaluate("""() => {
        const panel = [...document.querySelectorAll('.jp-NotebookPanel')].find(p => p.offsetParent !== null);
        return [...panel.querySelectorAll('.jp-Cell.jp-CodeCell')].map(cell => [
            cell.querySelector('.jp-InputPrompt').textContent.trim(),
            cell.querySelector('.cm-content').textContent.trim() !== '',
        ]);
    }""")


def wait_idle(page, lab, path, timeout):
    """Until no cell is queued or running and the kernel says idle, twice in a row."""
    end, quiet = time.monotonic() + timeout, 0
    while time.monotonic() < end:
        session = lab.session(path)
        busy = session is None or lab.api(f"kernels/{session['kernel']['id']}")["execution_state"] != "idle"
        running = any(p == "[*]:" for p, _ in prompts(page))
        quiet = 0 if (busy or running) else quiet + 1
        if quiet >= 2:
            return
        time.sleep(0.25)
    raise AssertionError(f"{path}: still running after {timeout}s")


def run_everything(page, lab, path, timeout):
    """Run All Cells; where a failing check stops the run, go on from the next cell, as a student would."""
    code = sum(c["cell_type"] == "code" for c in lab.notebook(path)["cells"])
    assert len(prompts(page)) == code, f"{path}: the page shows {len(prompts(page))} of {code} code cells"
    menu(page, "Run", "Run All Cells")
    wait_idle(page, lab, path, timeout)
    restarts, last = 0, -1
    while True:
        states = prompts(page)
        pending = [i for i, (prompt, filled) in enumerate(states) if filled and prompt == "[ ]:"]
        if not pending:
            return restarts
        first = pending[0]
        assert first > last, f"{path}: cell {first} does not run"
        last = first
        code_cells(page).nth(first).locator(".jp-InputPrompt").click()
        menu(page, "Run", "Run Selected Cell and All Below")
        wait_idle(page, lab, path, timeout)
        restarts += 1


def save(page):
    menu(page, "File", "Save Notebook")
    page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").wait_for(state="detached")


def scroll_to_top(page):
    page.evaluate("""() => {
        const panel = [...document.querySelectorAll('.jp-NotebookPanel')].find(p => p.offsetParent !== null);
        panel.querySelectorAll('.jp-WindowedPanel-outer').forEach(e => e.scrollTop = 0);
    }""")


def open_notebook(page, lab, path):
    page.goto(f"{lab.url}/lab/tree/{path}?reset")  # ?reset: this notebook alone, no tabs restored
    notebook_panel(page).locator(".jp-MarkdownCell .jp-RenderedMarkdown").first.wait_for()
    # A long notebook is put in the page in steps: wait for all of its cells before running it.
    cells = len(lab.notebook(path)["cells"])
    page.wait_for_function("""n => {
        const panel = [...document.querySelectorAll('.jp-NotebookPanel')].find(p => p.offsetParent !== null);
        return panel && [...panel.querySelectorAll('.jp-Cell')].length === n
            && [...panel.querySelectorAll('.jp-CodeCell')].every(c => c.querySelector('.cm-content'));
    }""", arg=cells)
    page.locator(f'.lm-TabBar-tab.jp-mod-current:has-text("{Path(path).name}")').wait_for()
    end = time.monotonic() + 60
    while lab.session(path) is None or lab.api(
            f"kernels/{lab.session(path)['kernel']['id']}")["execution_state"] not in ("idle",):
        assert time.monotonic() < end, f"{path}: the kernel did not start"
        time.sleep(0.25)


def close_notebook(lab, path):
    session = lab.session(path)
    if session:
        lab.api(f"sessions/{session['id']}", method="DELETE")


# ---------------------------------------------------------------------------------------
# What the saved notebook must show


def cell_label(cell, index):
    meta = cell.get("metadata", {}).get("nbgrader", {})
    first = "".join(cell["source"]).strip().splitlines()[:1]
    return f"cell {index} ({meta.get('grade_id') or (first[0][:50] if first else 'empty')})"


def problems_of(nb):
    """What a student should not see in a run blank notebook: other errors, stderr, cells that never ran."""
    problems = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code" or not "".join(cell["source"]).strip():
            continue
        label = cell_label(cell, index)
        meta = cell.get("metadata", {})
        tags = meta.get("tags", [])
        graded = meta.get("nbgrader", {}).get("grade", False)
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        stderr = "".join(o.get("text", "") for o in cell["outputs"]
                         if o["output_type"] == "stream" and o.get("name") == "stderr")
        if cell.get("execution_count") is None:
            problems.append(f"{label} never ran")
        allowed = CHECK_ERRORS if graded else TRYIT_ERRORS if "tryit" in tags else set()
        kind = "a graded test cell" if graded else "a tryit cell" if "tryit" in tags else "a cell"
        for error in errors:
            if error["ename"] not in allowed:
                may = f"may fail only with {', '.join(sorted(allowed))}" if allowed else "may not fail"
                problems.append(f"{label} raised {error['ename']}: {error['evalue'][:300]} ({kind} {may})")
        if stderr and not errors:
            problems.append(f"{label} wrote to stderr: {stderr[:300]}")
    return problems


# ---------------------------------------------------------------------------------------
# The test


def test_student_experience_in_chromium(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip(SKIP_MESSAGE)
    from playwright.sync_api import sync_playwright

    timings = {}
    home = tmp_path / "binder"  # Binder's home: the root of the edition's repository
    start = time.monotonic()
    publish_edition(home)
    timings["publish"] = time.monotonic() - start
    start = time.monotonic()
    venv = binder_venv(home, tmp_path / "venv")
    timings["binder venv"] = time.monotonic() - start
    start = time.monotonic()
    post_build(venv, home)
    timings["postBuild"] = time.monotonic() - start
    installed = subprocess.run([str(venv / "bin" / "python"), "-c", "import netkit; print(netkit.__file__)"],
                               cwd=tmp_path, capture_output=True, text=True, env=clean_env(venv, home))
    assert installed.stdout.strip() == str(home / "netkit" / "__init__.py"), installed
    assert not (home / "netkit" / "hidden").exists()
    labs = sorted(p.parent.name for p in (home / "labs").glob("*/*.ipynb"))
    assert labs == NAMES, f"the edition has {labs}, the course has {NAMES}"
    for name in labs:  # what students land on are the student versions, never the solutions
        text = (home / "labs" / name / f"{name}.ipynb").read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, f"labs/{name} shows solutions"
        assert "YOUR CODE HERE" in text, f"labs/{name} has no exercise left to write"

    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    SCREENSHOTS.mkdir(parents=True)
    problems, diagrams, log = {}, {}, tmp_path / "jupyterlab.log"

    with jupyter_lab(venv, home, log) as lab, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.set_default_timeout(60_000)

            # The Binder badge's URL lands on the start page, rendered, which opens the first lab.
            start = time.monotonic()
            page.goto(f"{lab.url}/lab/tree/START.md?token={lab.token}")
            page.locator(".jp-MarkdownViewer .jp-RenderedMarkdown h1").wait_for()
            listed = page.locator(".jp-MarkdownViewer .jp-RenderedMarkdown li a")
            assert listed.count() == len(NAMES), f"the start page lists {listed.count()} labs, not {len(NAMES)}"
            shot(page, "start")
            listed.first.click()
            page.locator(f'.lm-TabBar-tab.jp-mod-current:has-text("{NAMES[0]}.ipynb")').wait_for()
            notebook_panel(page).locator(".jp-MarkdownCell .jp-RenderedMarkdown h1").first.wait_for()
            assert not page.locator(".jp-MarkdownViewer:visible").count(), "the link did not open the notebook"
            shot(page, "start-first-lab")
            close_notebook(lab, f"labs/{NAMES[0]}/{NAMES[0]}.ipynb")
            timings["start page"] = time.monotonic() - start

            for name in NAMES:
                start = time.monotonic()
                problems[name], diagrams[name] = try_notebook(page, lab, name)
                timings[name] = time.monotonic() - start
        finally:
            browser.close()

    print("browser test timings (s):", {k: round(v, 1) for k, v in timings.items()})
    found = {name: count for name, count in diagrams.items() if count}
    failed = {name: p for name, p in problems.items() if p}
    assert not failed, "in the browser:\n" + "\n".join(
        f"{name}:\n  " + "\n  ".join(p) for name, p in failed.items()) + f"\n(JupyterLab's log: {log})"
    assert found, "no notebook showed a wire diagram (netkit.wire's SVG)"


def try_notebook(page, lab, name):
    """Open a student notebook, run it all, save it; what went wrong and how many wire diagrams it drew."""
    path = f"labs/{name}/{name}.ipynb"
    problems, drawn = [], 0
    try:
        open_notebook(page, lab, path)
        run_everything(page, lab, path, timeout=300)
        save(page)
        problems += problems_of(lab.notebook(path))
        drawn = check_diagrams(page, name)
        first_message = notebook_panel(page).locator(f'.jp-OutputArea-output[data-mime-type="{STDERR}"]').first
        if first_message.count():  # what a student sees when a check fails
            first_message.scroll_into_view_if_needed()
            shot(page, f"{name}-check")
        if name == "03-byte-order":
            problems += check_explorer(page)
        if name == SOLVED["notebook"]:
            problems += solve_one_exercise(page, lab, path)
        scroll_to_top(page)
        shot(page, name)
    except Exception as exc:  # one notebook's failure must not hide the others'
        problems.append(f"{type(exc).__name__}: {exc}")
        with contextlib.suppress(Exception):
            shot(page, f"{name}-failed")
    finally:
        with contextlib.suppress(Exception):
            close_notebook(lab, path)
    return problems, drawn


def check_diagrams(page, name):
    """Count netkit.wire's sequence diagrams drawn in the outputs; screenshot the first."""
    svgs = notebook_panel(page).locator('.jp-OutputArea-output svg[role="img"]')
    drawn = 0
    for k in range(svgs.count()):
        svg = svgs.nth(k)
        svg.scroll_into_view_if_needed()
        box = svg.bounding_box()
        if box and box["width"] > 200 and box["height"] > 100 and svg.locator("text").count() >= 3:
            drawn += 1
            if drawn == 1:
                shot(page, f"{name}-diagram")
    return drawn


def check_explorer(page):
    """The byte-order explorer renders, and its table follows what is typed."""
    box = notebook_panel(page).locator(".netkit-byteorder")
    box.scroll_into_view_if_needed()
    field = box.locator(".netkit-byteorder-input input")
    output = box.locator(".netkit-byteorder-output")
    problems = []
    try:  # widgets render asynchronously, after the cell's output arrives
        page.wait_for_function("el => el.innerText.includes('157.181.161.32')",
                               arg=output.element_handle(), timeout=20_000)
    except Exception:
        problems.append(f"the explorer does not show the lecture's address first: {output.inner_text()[:200]!r}")
    field.click()
    field.press("Control+a")
    field.press_sequentially("80", delay=50)
    try:
        page.wait_for_function(
            """el => el.innerText.includes('0x0050')""", arg=output.element_handle(), timeout=10_000)
    except Exception:
        problems.append(f"typing 80 did not update the explorer: {output.inner_text()[:200]!r}")
    shot(page, "03-byte-order-explorer")
    return problems


def solve_one_exercise(page, lab, path):
    """Type a right solution into the exercise's cell, run it and its checks; Validate lists the rest."""
    cells = code_cells(page)
    solution = cells.filter(has_text=SOLVED["marker"]).first
    solution.scroll_into_view_if_needed()
    solution.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(SOLVED["code"])
    problems = []
    page.keyboard.press("Shift+Enter")  # runs the solution and moves to the cell that tries it
    wait_idle(page, lab, path, 60)
    tryit = cells.filter(has_text=SOLVED["tryit"]).first
    tryit.locator(".jp-InputPrompt").click()
    page.keyboard.press("Control+Enter")
    wait_idle(page, lab, path, 60)
    shown = tryit.locator(".jp-OutputArea-output").all_inner_texts()
    if SOLVED["tryit_shows"] not in "".join(shown):
        problems.append(f"trying the solution shows {shown!r}, not {SOLVED['tryit_shows']!r}")
    checks = cells.filter(has_text=SOLVED["check"])
    for k in range(checks.count()):
        check = checks.nth(k)
        check.locator(".jp-InputPrompt").click()
        page.keyboard.press("Control+Enter")
        wait_idle(page, lab, path, 120)
        shown = check.locator(f'.jp-OutputArea-output[data-mime-type="{STDERR}"]')
        if shown.count():
            problems.append(f"the solved exercise's check {k + 1} still fails: {shown.first.inner_text()[:300]}")
    checks.first.scroll_into_view_if_needed()
    shot(page, "03-byte-order-solved")
    save(page)
    nb = lab.notebook(path)
    for index, cell in enumerate(nb["cells"]):
        if SOLVED["check"] in "".join(cell["source"]):
            if any(o["output_type"] == "error" for o in cell["outputs"]) or cell["execution_count"] is None:
                problems.append(f"saved notebook: {cell_label(cell, index)} did not pass")

    # nbgrader's Validate button: runs the saved notebook on the server, lists the failing tests.
    notebook_panel(page).locator("jp-button", has_text="Validate").click()
    dialog = page.locator(".jp-Dialog", has_text="Validation Results")
    dialog.wait_for(timeout=180_000)
    report = dialog.inner_text()
    shot(page, "03-byte-order-validate")
    if "The following cell failed:" not in report or SOLVED["still_failing"] not in report:
        problems.append(f"Validate does not list the unsolved exercises: {report[:400]!r}")
    if SOLVED["check"] in report:
        problems.append("Validate lists the solved exercise as failing")
    dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
    return problems
