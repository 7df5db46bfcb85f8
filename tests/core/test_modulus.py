"""Pay.UK's published modulus checking test cases, for the sort codes whose weight table rows
ship with these tests (tests/data/valacdos_extract.txt, an extract of Pay.UK's table)."""

from pathlib import Path

import pytest

from dp_portal.core.modulus import ModulusTables, TableError, check_account

TABLES = ModulusTables.parse(
    (Path(__file__).parent.parent / "data/valacdos_extract.txt").read_text()
)

PUBLISHED_CASES = [
    ("089999", "66374958", True, "passes the modulus 10 check"),
    ("107999", "88837491", True, "passes the modulus 11 check"),
    ("202959", "63748472", True, "passes modulus 11 and double alternate"),
    ("134020", "63849203", True, "exception 4: remainder equals the check digits"),
    ("118765", "64371389", True, "exception 1: 27 added to the total"),
    ("200915", "41011166", True, "exception 6: foreign currency account"),
    ("086090", "06774744", True, "exception 8: sort code substituted"),
    ("309070", "02355688", True, "exceptions 2 and 9: first check passes"),
    ("309070", "12345668", True, "exceptions 2 and 9: second check passes with substitution"),
    ("309070", "12345677", True, "exceptions 2 and 9: a not 0, g not 9"),
    ("309070", "99345694", True, "exceptions 2 and 9: a not 0, g is 9"),
    ("074456", "12345112", True, "exceptions 12 and 13: modulus 10 passes"),
    ("070116", "34012583", True, "exceptions 12 and 13: modulus 11 passes"),
    ("180002", "00000190", True, "exception 14: passes after the shift"),
    ("118765", "64371388", False, "exception 1: fails the double alternate check"),
    ("203099", "66831036", False, "passes modulus 11, fails double alternate"),
    ("203099", "58716970", False, "fails modulus 11, passes double alternate"),
    ("089999", "66374959", False, "fails the modulus 10 check"),
    ("107999", "88837493", False, "fails the modulus 11 check"),
]


@pytest.mark.parametrize(("sort_code", "account", "valid", "case"), PUBLISHED_CASES)
def test_published_cases(sort_code, account, valid, case):
    assert check_account(sort_code, account, TABLES) is valid, case


def test_sort_code_not_in_table_cannot_be_checked_and_is_accepted():
    assert check_account("999999", "12345678", TABLES) is True


def test_malformed_input_fails():
    assert check_account("12345", "12345678", TABLES) is False
    assert check_account("089999", "6637495", TABLES) is False
    assert check_account("089999", "6637495a", TABLES) is False


def test_table_parse_errors_name_the_line():
    with pytest.raises(TableError, match="line 2"):
        ModulusTables.parse("089000 089999 MOD10 0 0 0 0 0 0 7 1 3 7 1 3 7 1\nrubbish\n")
    with pytest.raises(TableError, match="empty"):
        ModulusTables.parse("\n\n")
    with pytest.raises(TableError, match="Substitution table line 1"):
        ModulusTables.parse("089000 089999 MOD10 0 0 0 0 0 0 7 1 3 7 1 3 7 1", "938173")


def test_threads_asking_at_once_parse_the_installed_table_once_and_share_it(
    app, tmp_path, monkeypatch
):
    # Web workers run threads: several may ask for the table just after it changed. Each used
    # to parse it and clear the others' entry, so one could read a key just removed.
    import threading
    import time

    from dp_portal.core import modulus_models

    (tmp_path / "valacdos.txt").write_text(
        (Path(__file__).parent.parent / "data/valacdos_extract.txt").read_text()
    )
    monkeypatch.setitem(app.config, "MODULUS_TABLE_DIR", str(tmp_path))
    monkeypatch.setattr(modulus_models, "_cache", {})
    parsed, real_parse = [], ModulusTables.parse

    def slow_parse(*texts):
        parsed.append(1)
        time.sleep(0.05)  # long enough for every other thread to arrive meanwhile
        return real_parse(*texts)

    monkeypatch.setattr(modulus_models.ModulusTables, "parse", slow_parse)
    got, start = [], threading.Barrier(6)

    def ask():
        with app.app_context():
            start.wait()
            got.append(modulus_models.installed_tables())

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 6 and len(parsed) == 1
    assert all(tables is got[0] for tables in got)
