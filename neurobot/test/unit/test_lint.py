"""Linters as tests (as ament_flake8 and ament_pep257 are in ROS 2 packages).

``ruff check`` over the repository with ``ruff.toml``: pycodestyle and pyflakes with a
line length of 99, and pydocstyle with Google-style docstrings (module, package and
class docstrings required; every docstring present is checked). Style and docstring
drift then fail the suite, not a review.
"""

from pathlib import Path
import shutil
import subprocess
import sys

import pytest

REPO = Path(__file__).resolve().parents[3]
RUFF = shutil.which('ruff', path=str(Path(sys.executable).parent)) or shutil.which('ruff')
NO_RUFF = 'ruff is not installed: run scripts/setup_venv.sh (requirements/venv.txt)'


def ruff(*args, stdin=None):
    return subprocess.run([RUFF, *args], cwd=REPO, input=stdin, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.skipif(RUFF is None, reason=NO_RUFF)
def test_the_configuration_finds_what_it_should():
    """A long line, an unused import and a class without docstring are found."""
    source = ('"""A module."""\n\nimport os\n\n\nclass Thing:\n    pass\n\n\n'
              f'VALUE = "{"x" * 100}"\n')
    result = ruff('check', '--output-format', 'concise', '--stdin-filename',
                  'neurobot/neurobot/example.py', '-', stdin=source)
    codes = {line.split()[1] for line in result.stdout.splitlines() if ': ' in line
             and line.split()[1][:1].isalpha()}
    assert {'E501', 'F401', 'D101'} <= codes, result.stdout + result.stderr


@pytest.mark.skipif(RUFF is None, reason=NO_RUFF)
def test_the_repository_is_lint_clean():
    result = ruff('check', '--output-format', 'concise', '.')
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr
