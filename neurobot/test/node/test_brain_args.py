"""brain_args: an experiment sizes its brain through a brain_node parameter, in a namespace.

brain_node runs as its own process, started by the launcher from a namespaced NodeSpec
(the params file must reach the node under its fully qualified name), and is asked over
DDS what it built.
"""

import json

import pytest

from neurobot.bringup import NodeSpec
from neurobot.launcher import Launcher
from neurobot_interfaces.srv import DescribeBrain
from ros_helpers import NodeProcess, RosClient

pytestmark = pytest.mark.node

SIZED_BRAIN = '''"""A brain whose size is a brain argument."""
import pyNN.nest as sim
from brain_node.arguments import argument

CELLS = argument('cells', 3)
cells = sim.Population(CELLS, sim.IF_curr_exp(), label='cells')
cells.record('spikes')
'''


def _sizes(described) -> dict:
    return {p.name: p.size for p in described.populations}


def test_namespaced_brain_node_is_sized_by_brain_args(ros_domain, tmp_path):
    brain = tmp_path / 'sized_brain.py'
    brain.write_text(SIZED_BRAIN)
    spec = NodeSpec('brain', 'brain_node', namespace='left', parameters={
        'brain': str(brain), 'brain_args': json.dumps({'cells': 7}), 'use_sim_time': True})
    with open(tmp_path / 'launch.log', 'w') as out:
        launcher = Launcher([spec], out=out)
        launcher.start()
        client = RosClient(ros_domain)
        try:
            described = client.call(DescribeBrain, '/left/describe_brain',
                                    DescribeBrain.Request(), timeout=60)
            assert launcher.processes['left/brain'].poll() is None
        finally:
            client.close()
            launcher.stop()
    assert _sizes(described) == {'cells': 7}


@pytest.mark.parametrize('text, said', [
    ('[9]', 'brain_args must be a JSON object'),
    ('{"cells": 2.5}', "brain argument 'cells' must be int"),
    ('{cells: 9}', 'brain_args must be a JSON object'),
])
def test_bad_brain_args_stop_the_node_at_start_with_a_reason(ros_domain, tmp_path, text, said):
    brain = tmp_path / 'sized_brain.py'
    brain.write_text(SIZED_BRAIN)
    # quoted: a YAML string, as a launch file passes it
    process = NodeProcess('brain_node', '-p', f'brain:={brain}', '-p', f"brain_args:='{text}'",
                          log_dir=tmp_path)
    assert process.wait(60) != 0
    assert said in process.output(), process.output()
