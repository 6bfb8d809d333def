"""Test transfer function closing a loop through the brain only (no world).

The deterministic brain's 'neurons' spikes drive its 'drive' population with a DC
current proportional to the spike count of the round: any message lost, delayed by a
round or reordered changes the spike trains, so determinism tests catch it.
"""

from neurobot_interfaces.msg import PopulationInput, PopulationSpikes

from tf_nodes.api import Input, Output, transfer_function

NA_PER_SPIKE = 0.02  # nA of drive current per spike of 'neurons' in the last round


@transfer_function(inputs={'spikes': Input('brain/neurons/spikes', PopulationSpikes)},
                   outputs={'drive': Output('brain/drive/stimulus', PopulationInput)})
def feedback(spikes, state):
    total = int(sum(spikes.counts))
    state['rounds'] = state.get('rounds', 0) + 1
    return PopulationInput(values=[NA_PER_SPIKE * total])
