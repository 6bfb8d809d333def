"""Names of the spiking maze brain's plastic projections (the brain file's variables).

A module of its own so that code that must not import NEST (the maze bring-up, the
figures) names them from the same place as the learner and its transfer function.
"""

ACTOR = 'places_to_actions'  # Go: place cells -> action groups, dopamine STDP
CRITIC = 'places_to_striatum'  # place cells -> striatum (value), dopamine STDP
NOGO = 'places_to_actions_nogo'  # NoGo: place cells -| action groups, aversive STDP
PLASTIC = (ACTOR, CRITIC, NOGO)
