"""Test transfer function: spike times for a SpikeSourceArray population.

Every Int64 on 'fire' makes neuron ``data`` of the brain's 'stim' population fire
FIRE_AT_MS after the start of the brain's next step (an index outside the population
must be refused, naming it).
"""

from std_msgs.msg import Int64

from tf_nodes.api import Input, SpikeTrains, transfer_function
from tf_nodes.mappings import SpikeTimes

FIRE_AT_MS = 5.0  # ms after the next step's start


@transfer_function(inputs={'fire': Input('fire', Int64)},
                   outputs={'stim': SpikeTrains('stim')})
def fire_one(fire):
    return SpikeTimes([fire.data], [FIRE_AT_MS])
