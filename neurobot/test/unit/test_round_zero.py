"""The bring-up makes the recorder and the raster lockstep observers only where they help.

Observers (neurobot.round_zero) hold round 1 until they are subscribed; that is wanted
for a recording of a lockstep run, and nowhere else (a non-required node must not delay
runs that do not record).
"""

from neurobot import bringup, experiment


def _observers(**given):
    nodes = {n.name: n for n in bringup.nodes(experiment.get('maze'),
                                                  {k: str(v) for k, v in given.items()})}
    lists = {name: node.parameters.get('lockstep_observers') for name, node in nodes.items()}
    return nodes, lists


def test_recording_a_lockstep_run_makes_recorder_and_raster_observers():
    nodes, lists = _observers(record='true')
    for participant in ('world', 'brain', 'tf_node'):
        assert lists[participant] == ['mcap_recorder', 'spike_raster'], participant
    for observer in ('mcap_recorder', 'spike_raster'):
        assert nodes[observer].parameters['lockstep'] is True
        assert nodes[observer].parameters['lockstep_name'] == observer
        assert nodes[observer].parameters['lockstep_simulation'] == ['world', 'brain']


def test_without_recording_or_monitoring_nobody_waits_for_them():
    nodes, lists = _observers()
    assert lists['brain'] == ['']
    assert 'lockstep' not in nodes['spike_raster'].parameters
    nodes, lists = _observers(record='true', monitoring='false')
    assert lists['brain'] == ['mcap_recorder'] and 'spike_raster' not in nodes


def test_no_observers_outside_lockstep():
    nodes, lists = _observers(record='true', use_sim_time='false')
    assert 'lockstep' not in nodes['mcap_recorder'].parameters
    assert all(value in (None, ['']) for value in lists.values())
