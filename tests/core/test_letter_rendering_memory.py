"""The letters job keeps the scheduler's memory flat however many letters a day brings: it
reuses one WeasyPrint font configuration (a new one per PDF left C memory behind each time: a
4,789-letter day grew the process to 1.3 GB, docs/benchmarks.md) and keeps no letter alive
once its batch is committed."""

import gc
import threading
import weakref

import pytest
from weasyprint.text.fonts import FontConfiguration

from dp_portal.core import letters
from dp_portal.core.letters import Letter, LetterRecipient, RenderRun, letter_row

from ..factories import UPLIFT_CONTEXT


@pytest.fixture
def font_configurations_built(monkeypatch) -> list[int]:
    """How many font configurations get built, starting from a thread that has none yet."""
    built: list[int] = []
    original = FontConfiguration.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(FontConfiguration, "__init__", counting)
    monkeypatch.setattr(letters, "_fonts", threading.local(), raising=False)
    return built


def _pending_letters(factory, db_session, count: int) -> None:
    account = factory.account()
    to = LetterRecipient("A", ["1 Road"], "standard")
    row = letter_row(
        account_id=account.id, kind="uplift", subject="S", to=to, context=UPLIFT_CONTEXT
    )
    db_session.execute(Letter.__table__.insert(), [row] * count)
    db_session.flush()


def test_a_days_letters_share_one_font_configuration(
    app_ctx, factory, db_session, font_configurations_built
):
    _pending_letters(factory, db_session, 3)
    run = RenderRun(batch=2)
    while run.next_batch():
        pass
    assert run.rendered == 3 and run.failed == 0
    assert len(font_configurations_built) == 1


def test_the_font_configuration_is_replaced_now_and_then(
    app_ctx, monkeypatch, font_configurations_built
):
    """So that its caches (and any @font-face a template might add) stay bounded."""
    monkeypatch.setattr(letters, "FONTS_REUSED_FOR", 2, raising=False)
    for _ in range(5):
        assert letters.html_to_pdf("<p>Hello</p>").startswith(b"%PDF")
    assert len(font_configurations_built) == 3


def test_no_letter_outlives_its_batch(app_ctx, factory, db_session, monkeypatch):
    """A batch's letters (and their PDF bytes) are let go once it is committed, so memory does
    not grow with the number of batches."""
    _pending_letters(factory, db_session, 3)
    seen: list[weakref.ref] = []
    original = letters.render_letter

    def watching(letter: Letter) -> bytes:
        seen.append(weakref.ref(letter))
        return original(letter)

    monkeypatch.setattr(letters, "render_letter", watching)
    run = RenderRun(batch=2)
    assert run.next_batch() == 2
    gc.collect()
    assert len(seen) == 2 and all(ref() is None for ref in seen)
    assert run.next_batch() == 1
    gc.collect()
    assert len(seen) == 3 and all(ref() is None for ref in seen)
