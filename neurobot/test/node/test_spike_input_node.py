"""Node test: brain_node's spike_input topic over real DDS.

A client publishes PopulationSpikes on ``brain/stim/spike_input`` and steps the brain on
/clock; the population's own spikes must come back at exactly the times sent (relative
to the next step's start, in the stamps' time base). Bad messages are logged, change
nothing and leave the node running.
"""

import numpy as np
import pytest
from rosgraph_msgs.msg import Clock

from neurobot_interfaces.msg import PopulationSpikes
from neurobot_interfaces.srv import DescribeBrain
from ros_helpers import NodeProcess, RosClient, clock

pytestmark = pytest.mark.node

MS = 1_000_000  # ns
STEP_MS = 20  # ms
BRAIN = '''
import pyNN.nest as sim
stim = sim.Population(4, sim.SpikeSourceArray(spike_times=[]), label='stim')
cells = sim.Population(4, sim.IF_curr_exp(), label='cells')
stim_to_cells = sim.Projection(stim, cells, sim.OneToOneConnector(),
                               sim.StaticSynapse(weight=0.5, delay=1.0))
stim.record('spikes')
'''


def spike_input(neurons, times_ms):
    msg = PopulationSpikes()
    msg.spike_neurons = [int(n) for n in neurons]
    msg.spike_times_ms = [float(t) for t in times_ms]
    return msg


def test_spike_input_fires_the_population_at_the_times_sent(ros_domain, tmp_path):
    brain_file = tmp_path / 'spiking.py'
    brain_file.write_text(BRAIN)
    process = NodeProcess('brain_node', '-p', f'brain:={brain_file}', '-p', 'use_sim_time:=true',
                          '-p', f'step_ms:={float(STEP_MS)}', log_dir=tmp_path)
    client = RosClient(ros_domain)
    try:
        client.call(DescribeBrain, 'describe_brain', DescribeBrain.Request(), timeout=60)
        received = []
        client.node.create_subscription(PopulationSpikes, 'brain/stim/spikes',
                                        received.append, 100)
        tick = client.node.create_publisher(Clock, '/clock', 100)
        inputs = client.node.create_publisher(PopulationSpikes, 'brain/stim/spike_input', 10)
        assert client.spin_until(lambda: inputs.get_subscription_count() > 0
                                 and tick.get_subscription_count() > 0, 20)
        tick.publish(clock(0))
        client.spin_for(0.3)

        def step(end_ms, count):
            tick.publish(clock(end_ms * MS))
            assert client.spin_until(lambda: len(received) == count, 10), process.output()
            msg = received[-1]
            return list(zip(msg.spike_neurons, np.round(msg.spike_times_ms, 6)))

        inputs.publish(spike_input([3, 0, 3], [2.5, 7.0, 19.9]))
        client.spin_for(0.5)
        assert step(20, 1) == [(3, 2.5), (0, 7.0), (3, 19.9)]
        assert step(40, 2) == []  # nothing was sent for this step

        inputs.publish(spike_input([1], [5.0]))  # queued ...
        for bad in (spike_input([4], [5.0]),  # ... and not replaced by refused messages
                    spike_input([0], [float('nan')]),
                    spike_input([0], [0.5]),  # earlier than the generator can fire
                    spike_input([0, 1], [5.0])):
            inputs.publish(bad)
        client.spin_for(0.5)
        assert step(60, 3) == [(1, 45.0)]
        assert process.alive()
        log = process.output()
        assert 'spike input ignored' in log and 'neuron indices' in log
    finally:
        client.close()
        assert process.stop() == 0, process.output()
