"""The maze brain that learns inside NEST: a spiking actor-critic with dopamine-modulated STDP."""
