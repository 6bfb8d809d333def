"""The wander experiment, as registered in setup.py (entry-point group neurobot.experiments)."""

from neurobot.bringup import Argument, default_path
from neurobot.experiment import Experiment


def here(name: str) -> str:
    return default_path('experiments', 'wander', name)


EXPERIMENT = Experiment(
    name='wander',
    summary='the smallest experiment: a two-eyed robot turns away from walls',
    arguments=(Argument('duration_s', '20.0', 'Simulated seconds before the run ends',
                        kind='float', low=0.1),),
    defaults={'brain': here('brain.py'), 'transfer_functions': here('transfer_function.py'),
              'step_ms': '50.0', 'run_dir': 'results/wander'},
    tf_parameters=lambda values: {'duration_s': float(values['duration_s'])},
    world_parameters=lambda values: {'maze': here('arena.yaml')},
)
