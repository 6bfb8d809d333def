"""Brain of the wander example: each eye excites the opposite turn (a Braitenberg vehicle).

``eyes`` are Poisson sources (left eye first, then the right one), ``motors`` two groups:
turn right (driven by the left eye), then turn left (driven by the right eye).
"""

import pyNN.nest as sim

N = 10  # neurons per eye and per motor group
W_EYE_NA = 1.5  # nA, eye -> motor, one to one

eyes = sim.Population(2 * N, sim.SpikeSourcePoisson(rate=0.0), label='eyes')
motors = sim.Population(2 * N, sim.IF_curr_exp(), label='motors')
eyes_to_motors = sim.Projection(eyes, motors, sim.OneToOneConnector(),
                                sim.StaticSynapse(weight=W_EYE_NA, delay=1.0))
motors.record('spikes')
