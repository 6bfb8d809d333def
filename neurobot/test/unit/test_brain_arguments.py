"""brain_node.arguments: what a brain file gets from argument(), and what is refused."""

import pytest

from brain_node.arguments import argument, given, parse


def test_defaults_outside_a_build_and_for_absent_keys():
    assert argument('maze_cells', 25) == 25
    with given({'other': 1}):
        assert argument('maze_cells', 25) == 25
    assert argument('anything') is None


def test_given_values_are_returned_while_building_only():
    with given({'maze_cells': 9, 'rate_hz': 5, 'label': 'x', 'plastic': True}):
        assert argument('maze_cells', 25) == 9
        rate = argument('rate_hz', 2.0)
        assert rate == 5.0 and isinstance(rate, float)  # a whole number is a float too
        assert argument('label', 'y') == 'x'
        assert argument('plastic', False) is True
    assert argument('maze_cells', 25) == 25


@pytest.mark.parametrize('value, default', [(2.5, 25), ('9', 25), (True, 25), (1, False),
                                            ([1], 'x')])
def test_a_value_of_another_type_is_refused_naming_the_key(value, default):
    with given({'key': value}), pytest.raises(ValueError, match="brain argument 'key' must be"):
        argument('key', default)


def test_parse_accepts_objects_only():
    assert parse('{"maze_cells": 9}') == {'maze_cells': 9}
    assert parse('') == {} and parse('{}') == {}
    for text in ('[9]', '9', 'null', '{maze_cells: 9}'):
        with pytest.raises(ValueError, match='brain_args must be a JSON object'):
            parse(text)


def test_given_refuses_anything_but_a_dict():
    with pytest.raises(ValueError, match='must be a dict'):
        with given([('a', 1)]):
            pass
