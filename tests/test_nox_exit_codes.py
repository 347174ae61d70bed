"""Issue 19: the nox sessions `validate` and `gate` end with cuadra's own exit code and an honest last line.

nox reduces a failed session to exit 1 and prints "Session … was successful" after any accepted
code; ``noxfile._cuadra`` takes the command's code from nox's ``CommandFailed`` and ends nox with it.
The session is faked here (building a nox environment is CI's job, ``.ci/run``), nox's own
``CommandFailed`` is real.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

nox = pytest.importorskip("nox")
ROOT = Path(__file__).resolve().parent.parent


@functools.cache  # once: nox warns when a session is registered twice
def _noxfile() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cuadra_noxfile", ROOT / "noxfile.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class FakeSession:
    def __init__(self, code: int, *, old: bool = False) -> None:
        self.code, self.old, self.said = code, old, []

    def run(self, *args: str, **kwargs: object) -> bool:
        if self.code:
            exc = nox.command.CommandFailed(f"Returned code {self.code}")
            exc.return_code = None if self.old else self.code  # an older nox carries the code in its reason only
            raise exc
        return True

    def log(self, msg: str) -> None:
        self.said.append(("log", msg))

    def warn(self, msg: str) -> None:
        self.said.append(("warn", msg))


@pytest.mark.parametrize(("code", "word"), [(1, "FALLA"), (2, "ENTRADA INVÁLIDA"), (3, "ERROR INTERNO"),
                                            (130, "INTERRUMPIDO")])
@pytest.mark.parametrize("old", [False, True])
def test_failing_codes_survive_nox(code: int, word: str, old: bool) -> None:
    session = FakeSession(code, old=old)
    with pytest.raises(SystemExit) as exc:
        _noxfile()._cuadra(session, "gate", "a", "b")
    assert exc.value.code == code
    assert session.said == [("warn", session.said[-1][1])] and word in session.said[-1][1]
    assert f"exit {code}" in session.said[-1][1]


def test_success_is_logged_and_returns() -> None:
    session = FakeSession(0)
    _noxfile()._cuadra(session, "validate")
    assert session.said and session.said[-1][0] == "log" and "exit 0 — OK" in session.said[-1][1]
