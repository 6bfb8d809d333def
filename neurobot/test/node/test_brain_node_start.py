"""brain_node starts quietly: its log holds what the user needs, not library noise.

A pip-installed NEST/PyNN prints NEST's welcome banner, PyNN's "Cannot find nest-config
... Unable to build extensions" with cmake/g++ complaints, and NEST deprecation warnings
for PyNN's own SetStatus/GetStatus calls on every start; none of that may reach the log,
while a broken brain file still fails with its Python error (test_brain_node.py).
"""

import pytest

from ros_helpers import NodeProcess

pytestmark = pytest.mark.node

NOISE = ('-- N E S T --', 'nest-config', 'Unable to build', 'cmake', 'g++', 'deprecated',
         'UserWarning')


def test_brain_node_start_prints_no_library_noise(ros_domain, brains_dir, tmp_path):
    brain = NodeProcess('brain_node', '-p', f'brain:={brains_dir / "deterministic_brain.py"}',
                        '-p', 'use_sim_time:=true', log_dir=tmp_path)
    try:
        if not brain.wait_for_text('populations', timeout=60, step=0.2):
            assert brain.alive(), brain.output()
    finally:
        code = brain.stop()
    output = brain.output()
    assert code == 0 and 'populations' in output, output
    assert not [word for word in NOISE if word in output], output
