"""The wander example: the smallest complete experiment (docs/write_an_experiment.md)."""
