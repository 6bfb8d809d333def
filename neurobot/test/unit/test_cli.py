"""Unit tests of the `neurobot` command's argument handling (nothing is started)."""

import re

import pytest

from neurobot import cli
from neurobot.cli import parse_launch_arguments


def test_parse_launch_arguments_reads_name_value_words():
    assert parse_launch_arguments([]) == {}
    assert parse_launch_arguments(['world:=gazebo', 'run_dir:=', 'brain:=a:=b.py']) == {
        'world': 'gazebo', 'run_dir': '', 'brain': 'a:=b.py'}
    assert parse_launch_arguments(['seed:=1', 'seed:=2']) == {'seed': '2'}  # last one wins


@pytest.mark.parametrize('word', ['world=gazebo', 'gazebo', 'world:'])
def test_parse_launch_arguments_rejects_words_without_the_operator(word):
    with pytest.raises(ValueError, match=re.escape(repr(word))):
        parse_launch_arguments(['seed:=1', word])


def test_show_args_lists_every_argument_with_its_default(capsys):
    assert cli.main(['launch', 'maze', '--show-args']) == 0
    out = capsys.readouterr().out
    assert "  world:\n" in out and "(one of: embedded, gazebo)" in out
    assert "(default: '200.0')" in out


@pytest.mark.parametrize('words, message', [
    (['world=gazebo'], 'name:=value'),
    (['wrld:=gazebo'], "unknown arguments ['wrld']"),
    (['mode:=play'], 'mode must be one of'),
])
def test_bad_launch_arguments_exit_2_with_a_message_before_starting_anything(
        words, message, capsys, monkeypatch):
    started = []
    monkeypatch.setattr(cli, 'configure_local_dds', lambda: started.append('dds'))
    assert cli.main(['launch', 'maze', *words]) == 2
    err = capsys.readouterr().err
    assert err.startswith('neurobot launch maze: ') and message in err
    assert started == []
