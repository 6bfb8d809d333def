"""Shared test fixtures: local-only DDS and a private ROS domain per test.

Every test process confines Fast DDS to shared memory and loopback (the repo's
profile), and each test that talks ROS gets its own ROS_DOMAIN_ID, taken with a lock
file so that concurrent test runs on this machine never share a domain.
"""

import fcntl
import os
from pathlib import Path
import sys
import tempfile

import pytest

from neurobot.dds import configure_local_dds

TEST_DIR = Path(__file__).resolve().parent
BRAINS = TEST_DIR / 'brains'
DOMAIN_RANGE = range(100, 200)  # ROS domains used by tests (Fast DDS ports stay < 65536)
_LOCK_DIR = Path(tempfile.gettempdir()) / 'neurobot-ros-domains'

configure_local_dds()
sys.path.insert(0, str(TEST_DIR))


def pytest_sessionstart(session):
    """Free the shared memory of DDS participants killed in earlier runs (16 MiB each)."""
    from neurobot.shm_cleanup import remove_orphaned_segments
    remove_orphaned_segments()


def _take_domain():
    _LOCK_DIR.mkdir(exist_ok=True)
    start = os.getpid() % len(DOMAIN_RANGE)
    for offset in range(len(DOMAIN_RANGE)):
        domain = DOMAIN_RANGE[(start + offset) % len(DOMAIN_RANGE)]
        handle = open(_LOCK_DIR / f'{domain}.lock', 'w')
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        return domain, handle
    raise RuntimeError(f'all ROS domains {DOMAIN_RANGE.start}-{DOMAIN_RANGE.stop - 1} are in use')


@pytest.fixture
def ros_domain(monkeypatch):
    """A ROS_DOMAIN_ID no other test (of this or another run) uses; set in os.environ."""
    domain, handle = _take_domain()
    monkeypatch.setenv('ROS_DOMAIN_ID', str(domain))
    yield domain
    handle.close()


@pytest.fixture(scope='module')
def module_ros_domain():
    """ros_domain for a module-scoped fixture (one run that several tests check)."""
    domain, handle = _take_domain()
    before = os.environ.get('ROS_DOMAIN_ID')
    os.environ['ROS_DOMAIN_ID'] = str(domain)
    yield domain
    if before is None:
        os.environ.pop('ROS_DOMAIN_ID', None)
    else:
        os.environ['ROS_DOMAIN_ID'] = before
    handle.close()


@pytest.fixture
def brains_dir():
    return BRAINS
