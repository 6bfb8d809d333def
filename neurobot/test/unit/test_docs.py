"""README.md and docs/*.md name only files that exist and link only pages that exist.

A path is any token with a slash that ends in a file suffix of the repository's kinds
(``neurobot/brains/example_brain.py``, ``experiments/maze/mazes/*.yaml``) or a backticked
token of two or more levels ending in a slash (``neurobot/test/``). It resolves against the
repository root or against a package folder (``config/...`` is ``neurobot/config/...``,
as ROS 2 users write share paths). Generated places (``.venv/``, ``results/``,
``build/``) and absolute paths are not checked.
"""

from pathlib import Path
import re

import pytest

REPO = Path(__file__).resolve().parents[3]
PACKAGE_ROOTS = (REPO, REPO / 'neurobot', REPO / 'neurobot_interfaces')
DOCS = sorted([REPO / 'README.md', *(REPO / 'docs').glob('*.md')])
SUFFIXES = ('py', 'yaml', 'yml', 'xml', 'sdf', 'urdf', 'md', 'msg', 'srv', 'txt', 'sh',
            'rviz', 'cfg', 'toml', 'ini')
PATH_IN_TEXT = re.compile(r'(?<![\w./:-])((?:[\w.*-]+/)+[\w.*-]+\.(?:%s))(?![\w/])'
                          % '|'.join(SUFFIXES))
DIRECTORY_IN_BACKTICKS = re.compile(r'`((?:[\w.-]+/){2,})`')  # one level (`src/`) is too generic
LINK = re.compile(r'\]\(([^)#\s]+)(?:#[^)]*)?\)')
GENERATED = ('.venv/', 'results/', 'build/', 'run/')


def _mentioned_paths(text):
    for pattern in (PATH_IN_TEXT, DIRECTORY_IN_BACKTICKS):
        for match in pattern.finditer(text):
            yield match.group(1)


def _exists(path: str) -> bool:
    for root in PACKAGE_ROOTS:
        if '*' in path:
            if any(root.glob(path)):
                return True
        elif (root / path).exists():
            return True
    return False


def test_there_are_docs():
    assert (REPO / 'README.md').is_file()
    assert len(DOCS) >= 9, [d.name for d in DOCS]


@pytest.mark.parametrize('doc', DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_mentioned_path_exists(doc):
    text = doc.read_text()
    missing = sorted({path for path in _mentioned_paths(text)
                      if not path.startswith(GENERATED) and not _exists(path)})
    assert not missing, f'{doc.relative_to(REPO)} names paths that do not exist: {missing}'


@pytest.mark.parametrize('doc', DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_link_resolves(doc):
    text = doc.read_text()
    broken = sorted({target for target in LINK.findall(text)
                     if '://' not in target and not (doc.parent / target).exists()})
    assert not broken, f'{doc.relative_to(REPO)} links to missing files: {broken}'


def test_the_checker_finds_paths():
    """The patterns see the kinds of paths the docs use.

    A checker that finds nothing would pass forever.
    """
    text = ('run `.venv/bin/python bench/bench_brain.py` on `experiments/maze/mazes/*.yaml`, '
            'see `neurobot/test/` and `neurobot/nothing_here.py`; topic `brain/step`')
    found = set(_mentioned_paths(text))
    assert {'bench/bench_brain.py', 'experiments/maze/mazes/*.yaml', 'neurobot/test/',
            'neurobot/nothing_here.py'} <= found
    assert 'brain/step' not in found
    assert not _exists('neurobot/nothing_here.py')
    assert _exists('experiments/maze/mazes/*.yaml')
