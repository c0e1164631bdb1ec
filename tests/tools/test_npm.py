"""tools.npm: `npm ci` only when something is missing, and a clear note when npm is not there."""

from tools import npm


def test_nothing_missing_runs_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(npm.shutil, "which", lambda name: (_ for _ in ()).throw(AssertionError))
    assert npm.npm_ci(tmp_path, lambda: [], "x") is True


def test_without_npm_it_says_what_cannot_work(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(npm.shutil, "which", lambda name: None)
    assert npm.npm_ci(tmp_path, lambda: ["mathjax"], "the site has no MathJax") is False
    out = capsys.readouterr().out
    assert (
        "npm is not installed, so the site has no MathJax" in out and "apt-get install npm" in out
    )


def test_npm_ci_runs_in_the_folder_and_rechecks(tmp_path, monkeypatch):
    calls, state = [], {"missing": True}

    def fake_run(args, cwd, check, timeout):
        calls.append((args[1], cwd))
        state["missing"] = False

    monkeypatch.setattr(npm.shutil, "which", lambda name: "/usr/bin/npm")
    monkeypatch.setattr(npm.subprocess, "run", fake_run)
    assert npm.npm_ci(tmp_path, lambda: state["missing"], "x") is True
    assert calls == [("ci", tmp_path)]
