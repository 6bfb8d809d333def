"""Test transfer functions using population mappings against the deterministic brain.

``drive_from_window`` reads the spikes of 'neurons' over a 40 ms window and drives the
'drive' population with a DC current while the window holds any spike; it also echoes
the window's counts so the test can compare them with the brain's own messages.
``wrong_length`` returns 3 currents for the 10-neuron 'drive' population whenever
something arrives on 'bad_length': the call must be refused, naming the population.
"""

import numpy as np
from std_msgs.msg import Int64MultiArray, String

from tf_nodes.api import Currents, Input, Output, Spikes, transfer_function

DRIVE_NA = 2.0  # nA, well above the rheobase of IF_curr_exp (0.75 nA)
WINDOW_MS = 40.0  # ms, two brain steps of 20 ms
DRIVE_CELLS = 10  # neurons of 'drive' in test/brains/deterministic_brain.py


def start(state, log):
    state['calls'] = 0
    log.info('mapped transfer functions set up')


@transfer_function(inputs={'neurons': Spikes('neurons', window_ms=WINDOW_MS)},
                   outputs={'drive': Currents('drive'),
                            'window': Output('mapped/window_counts', Int64MultiArray)},
                   setup=start)
def drive_from_window(neurons, state):
    state['calls'] += 1
    current_na = DRIVE_NA if neurons.sum() else 0.0
    return {'drive': np.full(DRIVE_CELLS, current_na),
            'window': Int64MultiArray(data=neurons.tolist())}


@transfer_function(inputs={'bad': Input('bad_length', String)},
                   outputs={'drive': Currents('drive')})
def wrong_length(bad):
    return np.full(3, DRIVE_NA)
