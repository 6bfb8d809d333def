"""Fuzzing brain_node and world_node: no request takes a node down or changes its state.

The real nodes as processes, over real DDS. A seeded generator builds malformed requests
for every service and input topic (each carries at least one defect, so each must be
refused), beside hand-written hostile cases: empty, unicode and 100k-character names,
arrays of up to 10^7 doubles, NaN/inf, zero sizes, rows*cols beyond 64 bits, garbage
bytes instead of a message. Requests go out without waiting for their answers, a few at
a time, mixed with /clock steps and resets, so they queue up while the node steps or
resets. Afterwards the node must still answer and publish, its weights must be the
same, and a reset must reproduce the spikes of the first trial exactly. A failing
generated case is printed with the seed and its index: add it to the hand-written
cases as a regression.
"""

import array
import math
import random

import numpy as np
import pytest
from geometry_msgs.msg import Twist
from rcl_interfaces.msg import Parameter, ParameterType, ParameterValue
from rcl_interfaces.srv import SetParameters
from rclpy.serialization import serialize_message
from rosgraph_msgs.msg import Clock

from neurobot_interfaces.msg import PopulationInput, PopulationSpikes
from neurobot_interfaces.srv import (AdvanceWorld, DescribeBrain, GetWeights, PlaceRobot,
                                     RenderWorld, ResetBrain, SetWeights)
from ros_helpers import NodeProcess, RosClient, clock, run_trial
import test_brain_node
import test_world_node
from test_world_node import MAZE, stamp_ns

# The node tests' own fixtures and helpers: brain_node on the deterministic brain, stepping
# on /clock; world_node stepped.
brain = test_brain_node.brain
Recorder = test_brain_node.Recorder
world = test_world_node.world
pytestmark = pytest.mark.node

SEED = 20261129  # of the request generators
N_BRAIN_REQUESTS = 240  # generated requests and messages for brain_node
N_WORLD_REQUESTS = 120  # for world_node
WINDOW = 6  # requests in flight at once (a service queues 10: more would be dropped by DDS)
STEP_EVERY = 6  # requests between two /clock steps of 20 ms
RESET_EVERY = 60  # requests between two resets, sent amid the others
MS = 1_000_000  # ns
HUGE = 10_000_000  # doubles in the largest request (80 MB)
BEYOND_LIMIT_NA = 1e12  # nA, far beyond brain_node's DC input limit (1e6 nA)
NAMES = ['', ' ', '\t', 'r\u00e9current', '\u795e\u7ecf\u5143', '\U0001f9e0' * 30, '%s%n%d{}{0}',
         '../../etc/passwd', 'x' * 100_000, 'recurrent\n', 'Recurrent', 'recurren',
         'stimulus_to_neurons.weight', '*', 'None', '0']


class Storm:
    """Sends service requests without waiting for each answer; keeps every answer."""

    def __init__(self, client: RosClient):
        self.client = client
        self.answers = []  # (label, request, response)
        self._clients = {}
        self._pending = []

    def send(self, srv_type, service: str, request, label: str):
        if service not in self._clients:
            ros_client = self.client.node.create_client(srv_type, service)
            assert ros_client.wait_for_service(timeout_sec=30), f'{service} not available'
            self._clients[service] = ros_client
        self._pending.append((label, request, self._clients[service].call_async(request)))
        if len(self._pending) >= WINDOW:
            self.wait()

    def wait(self, timeout=60.0):
        done = self.client.spin_until(lambda: all(f.done() for *_, f in self._pending), timeout)
        missing = [label for label, _, f in self._pending if not f.done()]
        assert done, f'no answer within {timeout} s to: {missing}'
        self.answers += [(label, request, f.result()) for label, request, f in self._pending]
        self._pending = []


def assert_refused(answers):
    """Every answer labelled 'bad ...' is a refusal with a message; the rest succeeded."""
    for label, request, response in answers:
        if label.startswith('bad'):
            assert not response.success, f'{label} was accepted: {response.message}'
            assert response.message and len(response.message) < 3000, label
            # A refusal, not a core failure: the core checks requests, it does not crash on them.
            assert 'internal error' not in response.message, f'{label}: {response.message}'
        else:
            assert response.success, f'{label}: {response.message}'


# ---------------------------------------------------------------------- brain_node

def all_weights(client, names):
    weights = {}
    for name in names:
        response = client.call(GetWeights, 'get_weights', GetWeights.Request(projection=name))
        assert response.success, response.message
        weights[name] = (response.rows, response.cols, np.asarray(response.weights))
    return weights


def doubles(values):
    # array.array goes into a message as is: no per-element check, NaN and inf allowed
    return array.array('d', np.ascontiguousarray(values, dtype=np.float64).tobytes())


def set_request(name, rows, cols, weights):
    return SetWeights.Request(projection=name, rows=rows, cols=cols, weights=doubles(weights))


def stimulus(values):
    return PopulationInput(values=doubles(values))


def garbage_messages(rng: random.Random):
    """Serialized bytes that are no valid PopulationInput."""
    good = serialize_message(stimulus([0.5] * 10))
    utf8 = PopulationInput(values=[0.5])
    utf8.header.frame_id = 'AAAA'
    return [good[:len(good) // 2], good[:4], b'', rng.randbytes(64), rng.randbytes(4096),
            good[:4] + b'\xff' * 64,
            serialize_message(utf8).replace(b'AAAA', b'\xff\xfe\xc0\x80')]


def hostile_brain_requests(weights, populations):
    """The hand-written cases: (label, kind, payload)."""
    name = 'recurrent'
    rows, cols, w = weights[name]
    connected = ~np.isnan(w)
    cases = []
    for bad in NAMES:
        cases.append((f'bad get_weights name {bad[:20]!r}', 'get', bad))
        cases.append((f'bad set_weights name {bad[:20]!r}', 'set',
                      set_request(bad, rows, cols, w)))
    for label, (r, c, values) in {
            'zero size': (0, 0, []), 'zero rows': (0, cols, []), 'zero cols': (rows, 0, []),
            'transposed shape': (cols + 1, rows - 1, w),
            'rows*cols beyond 64 bits': (2**32 - 1, 2**32 - 1, w),
            'rows*cols of the largest uint32': (2**32 - 1, 1, w),
            'empty weights': (rows, cols, []), 'one weight short': (rows, cols, w[:-1]),
            'one weight too many': (rows, cols, np.append(w, 0.1)),
            f'{HUGE} weights': (rows, cols, np.zeros(HUGE)),
            'all NaN': (rows, cols, np.full_like(w, np.nan)),
            'inf at a connection': (rows, cols, np.where(connected, np.inf, np.nan)),
            '-inf at a connection': (rows, cols, np.where(connected, -np.inf, np.nan)),
            'negative excitatory weights': (rows, cols, -w),
            'zeros where no connection': (rows, cols, np.nan_to_num(w)),
    }.items():
        cases.append((f'bad set_weights {label}', 'set', set_request(name, r, c, values)))
    inhibition = weights['inhibition']
    cases.append(('bad set_weights positive inhibitory weights', 'set',
                  set_request('inhibition', *inhibition[:2], -inhibition[2])))
    for population, size in populations.items():
        for label, values in {'empty': [], 'one short': [0.1] * (size - 1),
                              'one too many': [0.1] * (size + 1), 'NaN': [np.nan],
                              'inf': [np.inf] * size, '-inf': [-np.inf],
                              'beyond the current limit': [BEYOND_LIMIT_NA],
                              'largest double': [np.finfo(float).max] * size,
                              '10^6 values': np.zeros(1_000_000)}.items():
            cases.append((f'bad stimulus {population} {label}', 'stimulus',
                          (population, stimulus(values))))
    return cases


def generated_brain_requests(rng: random.Random, n: int, weights, signs, populations):
    """``n`` malformed requests, each with one to three defects: (label, kind, payload).

    Args:
        rng: the random source the requests and their defects are drawn from.
        n: number of requests.
        weights: {projection: (rows, cols, weights)} as get_weights answered.
        signs: {projection: allowed weight sign (+1, -1, 0 = any)} as describe_brain says.
        populations: {population taking input: size}.
    """
    names = list(weights)
    cases = []
    for index in range(n):
        label = f'bad generated #{index} (seed {SEED})'
        kind = rng.choice(['set', 'set', 'set', 'get', 'stimulus', 'stimulus', 'garbage'])
        if kind == 'get':
            cases.append((label, 'get', rng.choice(NAMES + [random_name(rng)])))
        elif kind == 'set':
            name = rng.choice(names)
            cases.append((label, 'set', bad_set_request(rng, name, *weights[name], signs[name])))
        elif kind == 'stimulus':
            population = rng.choice(list(populations))
            cases.append((label, 'stimulus',
                          (population, stimulus(bad_values(rng, populations[population])))))
        else:
            cases.append((label, 'garbage', rng.choice(garbage_messages(rng))))
    return cases


def random_name(rng):
    # printable code points below the surrogates (a ROS string is UTF-8)
    return ''.join(chr(rng.randint(0x20, 0xD7FF)) for _ in range(rng.randint(1, 40)))


def bad_set_request(rng, name, rows, cols, w, sign):
    """A set_weights request for ``name`` with one to three defects, each enough to refuse it."""
    connected = np.flatnonzero(~np.isnan(w))
    gaps = np.flatnonzero(np.isnan(w))
    values = w.copy()
    defects = rng.sample(['name', 'shape', 'length', 'nan', 'gap', 'nonfinite', 'sign'],
                         rng.randint(1, 3))
    for defect, impossible, instead in (('gap', len(gaps) == 0, 'nan'),
                                        ('sign', sign == 0, 'nonfinite')):
        if defect in defects and impossible:
            defects[defects.index(defect)] = instead
    defects.sort(key=lambda defect: defect == 'length')  # values first, then cut or pad

    def picks(pool):
        return [pool[rng.randrange(len(pool))] for _ in range(rng.randint(1, 5))]

    for defect in defects:
        if defect == 'name':
            name = rng.choice(NAMES + [random_name(rng)])
        elif defect == 'shape':
            wrong = rng.choice([0, 1, rows - 1, rows + 1, cols, 2**32 - 1, rng.randrange(2**32)])
            if wrong == rows:
                wrong = rows + 1
            if rng.random() < 0.5:
                rows = wrong
            else:
                cols = wrong if wrong != cols else cols + 1
        elif defect == 'length':
            length = rng.choice([0, 1, len(w) - 1, len(w) + 1, rng.randrange(3 * len(w))])
            values = np.resize(values, length if length != len(w) else length + 1)
        elif defect == 'nan':
            values[picks(connected)] = np.nan
        elif defect == 'gap':
            values[picks(gaps)] = rng.uniform(-1.0, 1.0)
        elif defect == 'nonfinite':
            values[picks(connected)] = rng.choice([np.inf, -np.inf])
        elif defect == 'sign':
            values[picks(connected)] = -sign * rng.uniform(1e-6, 1e3)
    return set_request(name, rows, cols, values)


def bad_values(rng, size):
    length = rng.choice([1, size, 0, size - 1, size + 1, rng.randrange(10_000)])
    values = np.array([rng.uniform(-0.5, 0.5) for _ in range(max(length, 1))])[:length]
    if length in (1, size) or rng.random() < 0.5:
        if length == 0:
            return values
        values[rng.randrange(len(values))] = rng.choice(
            [np.nan, np.inf, -np.inf, BEYOND_LIMIT_NA * rng.uniform(1, 1e6),
             -BEYOND_LIMIT_NA * rng.uniform(1, 1e6)])
    return values


def parameter_service(client) -> str:
    """The set_parameters service of the one node under test (whatever its name)."""
    own = client.node.get_fully_qualified_name()
    names = [name for name, _ in client.node.get_service_names_and_types()
             if name.endswith('/set_parameters') and not name.startswith(own + '/')]
    assert len(names) == 1, names
    return names[0]


def test_brain_node_survives_hostile_requests_and_keeps_its_weights_and_spikes(brain):
    process, client = brain
    described = client.call(DescribeBrain, 'describe_brain', DescribeBrain.Request())
    projections = [p.name for p in described.projections]
    signs = {p.name: p.weight_sign for p in described.projections}
    populations = {p.name: p.size for p in described.populations if p.input_kind}
    assert populations == {'neurons': 60, 'drive': 10}
    spikes = Recorder(client, PopulationSpikes, 'brain/neurons/spikes')
    clock_pub = client.node.create_publisher(Clock, '/clock', 100)
    stim_pubs = {name: client.node.create_publisher(PopulationInput, f'brain/{name}/stimulus', 10)
                 for name in populations}
    assert client.spin_until(lambda: all(p.get_subscription_count() for p in stim_pubs.values())
                             and clock_pub.get_subscription_count(), 20)
    clock_pub.publish(clock(0))
    first = run_trial(client, clock_pub, spikes, 0)
    assert len(first) > 10
    before = all_weights(client, projections)

    rng = random.Random(SEED)
    cases = (hostile_brain_requests(before, populations)
             + generated_brain_requests(rng, N_BRAIN_REQUESTS, before, signs, populations))
    storm = Storm(client)
    t_ms = 100
    for index, (label, kind, payload) in enumerate(cases):
        if kind == 'get':
            storm.send(GetWeights, 'get_weights', GetWeights.Request(projection=payload), label)
        elif kind == 'set':
            storm.send(SetWeights, 'set_weights', payload, label)
        elif kind == 'stimulus':
            stim_pubs[payload[0]].publish(payload[1])
        else:
            stim_pubs[rng.choice(list(stim_pubs))].publish(payload)
        if index % STEP_EVERY == 0:
            t_ms += 20
            clock_pub.publish(clock(t_ms * MS))
        if index % RESET_EVERY == RESET_EVERY // 2:  # amid stepping and other requests
            storm.send(ResetBrain, 'reset_brain',
                       ResetBrain.Request(restore_weights=bool(index % 2)), 'reset')
            storm.send(DescribeBrain, 'describe_brain', DescribeBrain.Request(), 'describe')
            storm.send(GetWeights, 'get_weights', GetWeights.Request(projection='recurrent'),
                       'get recurrent')
    storm.wait()
    assert_refused(storm.answers)
    assert process.alive(), process.output()
    assert len(storm.answers) > N_BRAIN_REQUESTS // 2

    # Still stepping and publishing: every /clock boundary gave one spike message.
    assert client.spin_until(lambda: len(spikes.messages) == t_ms // 20, 30), \
        (len(spikes.messages), t_ms // 20)
    assert client.call(DescribeBrain, 'describe_brain', DescribeBrain.Request()).success
    after = all_weights(client, projections)
    for name in projections:
        assert after[name][:2] == before[name][:2]
        np.testing.assert_array_equal(after[name][2], before[name][2], err_msg=name)

    # Parameters: bad step lengths are refused with a reason.
    for value in (math.nan, math.inf, -math.inf, 0.0, -20.0, 1e308, 20.05, 5e-324):
        request = SetParameters.Request(parameters=[Parameter(
            name='step_ms', value=ParameterValue(type=ParameterType.PARAMETER_DOUBLE,
                                                 double_value=value))])
        result = client.call(SetParameters, parameter_service(client), request).results[0]
        assert not result.successful and result.reason, value

    response = client.call(ResetBrain, 'reset_brain', ResetBrain.Request())
    assert response.success, response.message
    assert run_trial(client, clock_pub, spikes, t_ms) == first
    assert process.alive()
    # Each kind of refused stimulus is logged once, repeats only as a count.
    output = process.output()
    for name in populations:
        lines = [line for line in output.splitlines()
                 if f'brain/{name}/stimulus: stimulus ignored' in line]
        assert 0 < len(lines) <= 12, lines
    assert 'Traceback' not in output


def read(client, name):
    response = client.call(GetWeights, 'get_weights', GetWeights.Request(projection=name))
    assert response.message
    return response


def test_brain_node_answers_everything_while_stepping_on_wall_clock_time(
        ros_domain, brains_dir, tmp_path, monkeypatch):
    """Whatever the core raises becomes an answer, and stepping goes on.

    The brain's projections share presynaptic neurons (the shape that ended brain_node in
    issue 10) and it plants faults in the core: get_weights('recurrent') raises
    IndexError, set_weights('forward') RuntimeError, a stimulus of b ZeroDivisionError,
    every 7th step RuntimeError (see brains/planted_faults_brain.py).
    """
    monkeypatch.setenv('NEUROBOT_TEST_PLANT_FAULTS', '1')
    process = NodeProcess('brain_node', '-p',
                          f'brain:={brains_dir / "planted_faults_brain.py"}',
                          '-p', 'step_ms:=20.0', log_dir=tmp_path)
    client = RosClient(ros_domain)
    try:
        described = client.call(DescribeBrain, 'describe_brain', DescribeBrain.Request(),
                                timeout=60)
        projections = [p.name for p in described.projections]
        signs = {p.name: p.weight_sign for p in described.projections}
        populations = {p.name: p.size for p in described.populations if p.input_kind}
        assert projections == ['drive', 'recurrent', 'forward', 'inhibition']
        assert populations == {'a': 10, 'b': 10}
        spikes = Recorder(client, PopulationSpikes, 'brain/a/spikes')
        assert client.spin_until(lambda: len(spikes.messages) >= 8, 30)  # a step has failed
        before = {name: read(client, name) for name in projections}
        assert [name for name, r in before.items() if not r.success] == ['recurrent']
        readable = {name: (r.rows, r.cols, np.asarray(r.weights))
                    for name, r in before.items() if r.success}
        stim_pubs = {name: client.node.create_publisher(PopulationInput,
                                                        f'brain/{name}/stimulus', 10)
                     for name in populations}
        assert client.spin_until(
            lambda: all(p.get_subscription_count() for p in stim_pubs.values()), 20)
        cases = generated_brain_requests(random.Random(SEED + 1), N_BRAIN_REQUESTS // 2,
                                         readable, signs, populations)
        storm = Storm(client)
        for index, (label, kind, payload) in enumerate(cases):
            if kind == 'stimulus':
                stim_pubs[payload[0]].publish(payload[1])
            elif kind == 'garbage':
                stim_pubs['ab'[index % 2]].publish(payload)
            elif kind == 'get':
                storm.send(GetWeights, 'get_weights', GetWeights.Request(projection=payload),
                           label)
            elif payload.projection != 'forward':  # (a planted failure, not a refusal)
                storm.send(SetWeights, 'set_weights', payload, label)
            if index % 10 == 0:  # every projection, whatever the core makes of it
                stim_pubs['b'].publish(stimulus([0.1]))
                for name in projections:
                    storm.send(GetWeights, 'get_weights', GetWeights.Request(projection=name),
                               f'any get {name}')
                for name, (rows, cols, weights) in readable.items():
                    storm.send(SetWeights, 'set_weights', set_request(name, rows, cols, weights),
                               f'any set {name} to its own weights')
            if index % RESET_EVERY == 0:
                storm.send(ResetBrain, 'reset_brain', ResetBrain.Request(), 'reset')
        storm.wait()
        assert process.alive(), process.output()
        assert_refused([answer for answer in storm.answers if not answer[0].startswith('any')])
        failed = {'any get recurrent': 'get_weights failed: IndexError: index 10 is out of',
                  'any set forward to its own weights': 'set_weights failed: RuntimeError: NEST'}
        for label, request, response in storm.answers:
            if label in failed:
                assert not response.success and response.message.startswith(failed[label])
                assert 'internal error' in response.message
            elif label.startswith('any'):
                assert response.success, f'{label}: {response.message}'
                assert label.startswith('any get') or response.written == 0
        count = len(spikes.messages)
        assert client.spin_until(lambda: len(spikes.messages) >= count + 8, 10)  # still stepping
        for name in projections:
            after = read(client, name)
            assert after.success == before[name].success, (name, after.message)
            np.testing.assert_array_equal(np.asarray(after.weights),
                                          np.asarray(before[name].weights), err_msg=name)
        # Four kinds of failure, each logged with its traceback once, however often it came.
        output = process.output()
        assert output.count('Traceback (most recent call last)') == 4, output
        for kind in ('get_weights: failed with IndexError',
                     'set_weights: failed with RuntimeError',
                     'brain/b/stimulus: failed with ZeroDivisionError',
                     'wall-clock timer: failed with RuntimeError'):
            assert output.count(kind) == 1, kind
    finally:
        client.close()
        assert process.stop() == 0, process.output()


# ---------------------------------------------------------------------- world_node

def hostile_world_requests(tmp_path):
    file_png = tmp_path / 'file.png'
    file_png.write_bytes(b'not a directory')
    cases = []
    for label, fields in {
            'row below the grid': dict(row=-1, col=0), 'col beyond the grid': dict(row=0, col=5),
            'largest int32 row': dict(row=2**31 - 1, col=2**31 - 1),
            'smallest int32 col': dict(row=0, col=-2**31),
            'NaN yaw': dict(row=1, col=1, yaw_rad=math.nan),
            'inf yaw': dict(row=1, col=1, yaw_rad=math.inf),
            'random with -inf yaw': dict(random=True, yaw_rad=-math.inf),
            'random with NaN yaw': dict(random=True, yaw_rad=math.nan)}.items():
        cases.append((f'bad place_robot {label}', PlaceRobot, 'place_robot', fields))
    for duration in (math.nan, math.inf, -math.inf, 0.0, -0.0, -2.0, 3.0, 1e-300, 5e-324, 1e12,
                     1e308, 2.0000001):
        cases.append((f'bad advance_world {duration!r}', AdvanceWorld, 'advance_world',
                      dict(duration_ms=duration)))
    for label, path in {'empty': '', 'no .png': str(tmp_path / 'world.jpg'),
                        'unicode without .png': str(tmp_path / '\u4e16\u754c'),
                        'a directory': str(tmp_path) + '/',
                        'under a file': str(file_png / 'world.png'),
                        'in /proc': '/proc/neurobot_fuzz/world.png',
                        'name too long': str(tmp_path / ('w' * 5000 + '.png')),
                        'only .png': '.png'}.items():
        cases.append((f'bad render_world {label}', RenderWorld, 'render_world', dict(path=path)))
    return cases


def generated_world_requests(rng: random.Random, n: int, tmp_path):
    """``n`` malformed requests for world_node's services and cmd_vel."""
    cases = []
    for index in range(n):
        label = f'bad generated #{index} (seed {SEED})'
        kind = rng.choice(['place', 'advance', 'render', 'cmd_vel'])
        nonfinite = rng.choice([math.nan, math.inf, -math.inf])
        if kind == 'place':
            fields = rng.choice([
                dict(row=rng.choice([-1, MAZE.n_rows, rng.randint(-2**31, -1),
                                     rng.randint(MAZE.n_rows, 2**31 - 1)]),
                     col=rng.randrange(MAZE.n_cols), yaw_rad=rng.uniform(-10, 10)),
                dict(row=rng.randrange(MAZE.n_rows), col=rng.randint(MAZE.n_cols, 2**31 - 1)),
                dict(row=rng.randrange(MAZE.n_rows), col=rng.randrange(MAZE.n_cols),
                     yaw_rad=nonfinite),
                dict(random=True, yaw_rad=nonfinite)])
            cases.append((label, PlaceRobot, 'place_robot', fields))
        elif kind == 'advance':
            duration = rng.choice([nonfinite, -rng.uniform(0, 1e6), rng.uniform(0, 1.99),
                                   2.0 * rng.randint(1, 1000) + rng.uniform(0.01, 1.9),
                                   rng.uniform(6.1e4, 1e300)])
            cases.append((label, AdvanceWorld, 'advance_world', dict(duration_ms=duration)))
        elif kind == 'render':
            path = rng.choice(['', str(tmp_path / f'{random_name(rng)}.jpg'),
                               str(tmp_path / 'file.png' / f'{rng.randrange(100)}.png'),
                               'x' * rng.randint(300, 5000) + '.png'])
            cases.append((label, RenderWorld, 'render_world', dict(path=path)))
        else:
            cases.append((label, Twist, 'cmd_vel', [rng.choice([nonfinite, 0.0])
                                                    for _ in range(2)] + [nonfinite]))
    return cases


def test_world_node_survives_hostile_requests_and_moves_nothing(world, tmp_path):
    assert world.call(PlaceRobot, 'place_robot', row=0, col=4, yaw_rad=0.5).success
    start = world.advance(10)
    pose = world.pose()
    rng = random.Random(SEED)
    storm = Storm(world.client)
    for label, srv_type, service, fields in (
            hostile_world_requests(tmp_path)
            + generated_world_requests(rng, N_WORLD_REQUESTS, tmp_path)):
        if srv_type is Twist:
            msg = Twist()
            msg.linear.x, msg.linear.y, msg.angular.z = fields
            world.cmd.publish(msg)
        else:
            storm.send(srv_type, service, srv_type.Request(**fields), label)
    storm.wait()
    assert_refused(storm.answers)
    assert world.process.alive(), world.process.output()
    # Nothing moved, the clock did not advance, and the world still works.
    world.client.spin_for(0.3)  # the last commands arrive
    after = world.advance(10)
    assert stamp_ns(after.clock) == stamp_ns(start.clock) + 10 * MS
    assert world.pose() == pose
    assert world.call(PlaceRobot, 'place_robot', row=2, col=2).success
    output = world.process.output()
    rejected = [line for line in output.splitlines() if 'cmd_vel rejected' in line]
    assert 0 < len(rejected) <= 3, rejected
    assert 'Traceback' not in output
