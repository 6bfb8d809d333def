"""Unit tests of how brain-file objects are named (no NEST: stand-in classes)."""

from brain_node.loader import inventory, ros_safe_name


class FakePopulation:
    def __init__(self, label):
        self.label = label


class FakeProjection:
    def __init__(self, label):
        self.label = label


def test_variable_names_win_and_labels_are_the_fallback():
    bound, in_list, unbound = FakePopulation('a'), FakePopulation('b'), FakePopulation('c d!')
    proj = FakeProjection('a->b')
    namespace = {'sensors': bound, 'layers': [in_list], 'sensors_to_layer': proj, '__name__': 'x'}
    populations, projections = inventory(namespace, [bound, in_list, unbound],
                                         FakePopulation, FakeProjection)
    assert list(populations) == ['sensors', 'layers_0', 'c_d']
    assert populations['sensors'] is bound
    assert list(projections) == ['sensors_to_layer']


def test_duplicate_labels_get_unique_names():
    a, b = FakePopulation('same'), FakePopulation('same')
    populations, _ = inventory({}, [a, b], FakePopulation, FakeProjection)
    assert list(populations) == ['same', 'same_2']


def test_ros_safe_name():
    assert ros_safe_name('sensors→motor 1') == 'sensors_motor_1'
    assert ros_safe_name('3d') == 'p_3d'
    assert ros_safe_name('') == 'unnamed'
