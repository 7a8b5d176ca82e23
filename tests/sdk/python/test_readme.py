"""The README's stripe-python snippet, run as printed (but for the port) with the newest SDK."""
from __future__ import annotations

import os
import re
import subprocess
import sys

from helpers import REPO, HERE


def readme_block(heading: str, lang: str) -> str:
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index(heading):]
    m = re.search(r"```" + lang + r"\n(.*?)```", section, re.S)
    assert m, f"no {lang} block after {heading}"
    return m.group(1)


def test_the_readme_python_snippet_runs_as_printed(us):
    code = readme_block("## Pointing the SDKs at it", "python")
    assert "http://127.0.0.1:4111" in code
    code = code.replace("http://127.0.0.1:4111", us.url)
    env = {**os.environ, "PYTHONPATH": str(HERE / ".deps")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"pi_\w+ requires_payment_method", done.stdout.strip()), done.stdout
