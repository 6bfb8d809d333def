"""Unit tests of the transfer-function API and runner (no ROS graph: plain messages)."""

from pathlib import Path

import pytest
from std_msgs.msg import Float64, Int64, String

from tf_nodes import api
from tf_nodes.runner import (TransferFunctionError, TransferFunctionRunner,
                             load_transfer_functions)

TFS = Path(__file__).resolve().parents[1] / 'tfs'
MS = 1_000_000  # ns


@pytest.fixture
def runner():
    return TransferFunctionRunner(load_transfer_functions([TFS / 'counting.py']))


def test_loading_collects_declared_functions_and_topics(runner):
    assert [f.spec.name for f in runner.functions] == ['throttled_counter', 'fragile_half']
    assert set(runner.input_topics) == {'ticks', 'other', 'values'}
    assert runner.output_topics == {'counted': Int64, 'halves': Float64}


def test_throttling_gives_exactly_the_rate_per_simulated_second(runner):
    calls = 0
    for k in range(1000):  # 100 Hz triggers for 10 s of simulated time
        runner.on_message('ticks', Int64(data=k))
        calls += len(runner.run_pending(k * 10 * MS))
    assert calls == 100
    assert runner.statistics()['throttled_counter'] == (100, 0, 900)


def test_untriggered_input_never_fires_but_is_visible(runner):
    assert runner.on_message('other', String(data='x')) == []
    assert runner.run_pending(0) == []
    runner.on_message('ticks', Int64(data=1))
    (call,) = runner.run_pending(0)
    assert call.outputs[0][1].data == 1


def test_a_raising_function_is_reported_and_the_next_call_works(runner):
    runner.on_message('values', Float64(data=-1.0))
    (failed,) = runner.run_pending(0)
    assert failed.outputs == [] and 'negative input -1.0' in failed.error
    assert 'fragile_half' == failed.name and 'Traceback' in failed.error
    runner.on_message('values', Float64(data=3.0))
    (ok,) = runner.run_pending(MS)
    assert ok.error is None and ok.outputs[0][1].data == 1.5


def test_state_persists_and_special_arguments_are_passed():
    seen = []

    @api.transfer_function(inputs={'x': api.Input('x', Int64)})
    def f(x, t, state, triggered_by):
        state['n'] = state.get('n', 0) + 1
        seen.append((x.data, t, state['n'], triggered_by))
    api._registry.clear()
    runner = TransferFunctionRunner([f.transfer_function])
    for k in range(3):
        runner.on_message('x', Int64(data=k))
        runner.run_pending(k * 500 * MS)
    assert seen == [(0, 0.0, 1, ['x']), (1, 0.5, 2, ['x']), (2, 1.0, 3, ['x'])]


def test_sync_and_async_functions_run_separately():
    @api.transfer_function(inputs={'x': api.Input('x', Int64)}, synchronous=False)
    def fast(x):
        return None

    @api.transfer_function(inputs={'x': api.Input('x', Int64)})
    def slow(x):
        return None
    api._registry.clear()
    runner = TransferFunctionRunner([fast.transfer_function, slow.transfer_function])
    runner.on_message('x', Int64(data=1))
    assert [c.name for c in runner.run_pending(0, synchronous=False)] == ['fast']
    assert [c.name for c in runner.run_pending(0, synchronous=True)] == ['slow']


@pytest.mark.parametrize('declaration, match', [
    (dict(inputs={}), 'at least one input'),
    (dict(inputs={'x': ('x', Int64)}), r"inputs\['x'\] must be a Input"),
    (dict(inputs={'x': api.Input('x', Int64)}, triggers=['y']), 'not declared inputs'),
    (dict(inputs={'t': api.Input('x', Int64)}), 'clash with the special arguments'),
    (dict(inputs={'x': api.Input('x', Int64)}, throttling_rate=-1), 'throttling_rate'),
])
def test_bad_declarations_say_what_was_expected(declaration, match):
    with pytest.raises((TypeError, ValueError), match=match):
        api.transfer_function(**declaration)


def test_unknown_parameters_and_wrong_return_types_are_errors():
    with pytest.raises(TypeError, match='neither inputs'):
        @api.transfer_function(inputs={'x': api.Input('x', Int64)})
        def f(x, y):
            return None

    @api.transfer_function(inputs={'x': api.Input('x', Int64)},
                           outputs={'y': api.Output('y', Int64)})
    def wrong(x):
        return Float64(data=1.0)
    api._registry.clear()
    runner = TransferFunctionRunner([wrong.transfer_function])
    runner.on_message('x', Int64(data=1))
    (call,) = runner.run_pending(0)
    assert 'expected Int64' in call.error


def test_conflicting_topic_types_and_missing_files_are_rejected(tmp_path):
    @api.transfer_function(inputs={'x': api.Input('x', Int64)})
    def a(x):
        return None

    @api.transfer_function(inputs={'x': api.Input('x', Float64)})
    def b(x):
        return None
    api._registry.clear()
    with pytest.raises(TransferFunctionError, match='one topic must have one type'):
        TransferFunctionRunner([a.transfer_function, b.transfer_function])
    with pytest.raises(TransferFunctionError, match='not found'):
        load_transfer_functions([tmp_path / 'missing.py'])
    empty = tmp_path / 'empty.py'
    empty.write_text('x = 1\n')
    with pytest.raises(TransferFunctionError, match='declares no'):
        load_transfer_functions([empty])


def test_a_required_input_holds_the_function_and_publishes_the_safe_outputs():
    now = [0.0]

    @api.transfer_function(inputs={'tick': api.Input('tick', Int64),
                                   'odom': api.Input('odom', Float64, required=True)},
                           outputs={'cmd': api.Output('cmd', Float64, safe=Float64(data=0.0))},
                           triggers=['tick'])
    def drive(tick, odom):
        return Float64(data=odom.data + 1.0)

    runner = TransferFunctionRunner([drive.transfer_function], clock=lambda: now[0])
    runner.max_input_age_s = 1.0
    runner.on_message('tick', Int64(data=1))
    (held,) = runner.run_pending(0)
    assert held.outputs == [('cmd', Float64(data=0.0))] and held.error is None
    assert [(p.input, p.topic, p.age_s) for p in held.held] == [('odom', 'odom', None)]
    runner.on_message('odom', Float64(data=2.0))
    runner.on_message('tick', Int64(data=2))
    (ran,) = runner.run_pending(MS)
    assert ran.outputs == [('cmd', Float64(data=3.0))] and not ran.held
    now[0] = 1.5  # odometry 1.5 s old: stale
    assert [round(p.age_s, 3) for p in runner.input_problems()] == [1.5]
    runner.on_message('tick', Int64(data=3))
    (stale,) = runner.run_pending(2 * MS)
    assert stale.outputs == [('cmd', Float64(data=0.0))]
    assert runner.held_calls() == {'drive': 2} and runner.statistics()['drive'][0] == 1


def test_failures_in_a_row_are_counted_and_a_full_disk_is_fatal():
    import errno

    @api.transfer_function(inputs={'x': api.Input('x', Int64)})
    def write(x):
        if x.data == 0:
            raise OSError(errno.ENOSPC, 'No space left on device')
        if x.data < 0:
            raise ValueError('negative')

    runner = TransferFunctionRunner([write.transfer_function])
    results = []
    for value in (-1, -1, 1, -1, 0):
        runner.on_message('x', Int64(data=value))
        (call,) = runner.run_pending(0)
        results.append((call.consecutive_failures, call.fatal))
    assert results == [(1, False), (2, False), (0, False), (1, False), (2, True)]


def test_safe_outputs_must_be_messages_of_the_declared_type():
    with pytest.raises(TypeError, match='safe must be a Float64'):
        api.Output('cmd', Float64, safe=Int64())
