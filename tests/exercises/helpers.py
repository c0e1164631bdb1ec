"""What the checker tests share: a right answer passes, every typical mistake gets one "Not yet" with a hint."""


def stub(*args):
    # YOUR CODE HERE
    raise NotImplementedError


def assert_right_and_wrong(check, right, wrongs, capsys):
    """``check(right)`` prints "Correct:"; each of ``wrongs`` prints one "Not yet: ... Hint: ..." line; nothing raises."""
    assert check(right)
    assert capsys.readouterr().out.startswith("Correct:")
    for wrong in wrongs:
        verdict = check(wrong)
        out = capsys.readouterr().out
        assert not verdict, f"{check.__name__} accepted a wrong answer"
        assert out.startswith("Not yet:") and "Hint:" in out and out.count("\n") == 1, out
        assert verdict.message == out.strip()
