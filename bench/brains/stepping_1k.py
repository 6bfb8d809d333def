"""Benchmark brain: 1,000 recorded neurons firing at a few Hz, for stepping overhead."""

import pyNN.nest as sim

N = 1000
noise = sim.Population(200, sim.SpikeSourcePoisson(rate=20.0), label='noise')
neurons = sim.Population(N, sim.IF_curr_exp(tau_refrac=2.0), label='neurons')
sim.Projection(noise, neurons, sim.FixedProbabilityConnector(0.1, rng=sim.NativeRNG(seed=3)),
               sim.StaticSynapse(weight=0.5, delay=1.0), receptor_type='excitatory')
neurons.record('spikes')
