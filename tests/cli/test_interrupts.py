"""Ctrl-C is raised where the command can stop cleanly, never inside Python's import system."""

from __future__ import annotations

import importlib.abc
import signal
import sys
import threading

import pytest

from auditor.cli import interrupts


class _FrameCatcher(importlib.abc.MetaPathFinder):
    """A finder that keeps the frame it is asked from: a frame inside an import."""

    def __init__(self) -> None:
        self.frame = None

    def find_spec(self, name, path=None, target=None):
        if name == "wsaudit_frame_catcher_probe":
            self.frame = sys._getframe()
        return None


def _frame_inside_an_import():
    catcher = _FrameCatcher()
    sys.meta_path.insert(0, catcher)
    try:
        with pytest.raises(ModuleNotFoundError):
            __import__("wsaudit_frame_catcher_probe")
    finally:
        sys.meta_path.remove(catcher)
    return catcher.frame


def test_a_frame_inside_an_import_is_seen_as_such():
    assert interrupts.inside_import_system(_frame_inside_an_import())


def test_ordinary_code_is_not_inside_the_import_system():
    assert not interrupts.inside_import_system(sys._getframe())


def test_the_handler_raises_keyboard_interrupt_outside_imports():
    with pytest.raises(KeyboardInterrupt):
        interrupts.interrupt_outside_imports(signal.SIGINT, sys._getframe())


def test_inside_an_import_the_handler_asks_for_the_signal_again_instead_of_raising():
    delivered = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda signum, frame: delivered.set())
    try:
        interrupts.interrupt_outside_imports(signal.SIGINT, _frame_inside_an_import())
        # The signal comes back a moment later; the test's handler notes it.
        for _ in range(200):
            if delivered.wait(0.01):
                break
        assert delivered.is_set()
    finally:
        signal.signal(signal.SIGINT, previous)


def test_install_keeps_a_handler_the_program_chose():
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        interrupts.install()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
