"""Every standard letter reads at Flesch-Kincaid grade 6 or below; every Easy Read letter at
grade 3 or below, in sentences of 15 words or fewer. A new letter template fails here until it
has a sample and passes."""

from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from dp_portal.core.letters import render_html

from ..factories import UPLIFT_CONTEXT
from ..readability import grade, prose_blocks

STANDARD_GRADE = 6.0
EASY_READ_GRADE = 3.0
EASY_READ_WORDS_PER_SENTENCE = 15  # Easy Read guidance: one idea, 15 words at most

PERIOD = {"period_start": "2026-04-06", "period_end": "2026-06-30", "due": "2026-07-28"}
SAMPLES = {
    "uplift": UPLIFT_CONTEXT,
    "recovery": {
        "reference": "DP000123",
        "amount": "250.00",
        "method": "invoice",
        "reason": "Money not needed for the support plan",
        "source": "6 April 2026 to 30 June 2026",
        "closing": "1200.00",
        "liabilities": "150.00",
        "contingency": "800.00",
        "contingency_weeks": "8",
    },
    "contribution_invoice": PERIOD
    | {"invoice_number": "DP000123-20260406", "amount": "40.00", "due": "2026-05-04"},
    "remittance": {
        "paid": True,
        "payment": SimpleNamespace(
            amount=Decimal("400.00"),
            account_number="12345678",
            pay_date=date(2026, 4, 2),
            period_start=date(2026, 4, 6),
            period_end=date(2026, 5, 3),
            kind="regular",
            breakdown=SimpleNamespace(
                segments=[
                    SimpleNamespace(
                        lines=[("Personal assistant hours", "100.00")],
                        days=28,
                        weekly_contribution="0",
                    )
                ],
                offsets=[],
            ),
        ),
    },
    "suspension": PERIOD,
    "bank_details_changed": {
        "reference": "DP000123",
        "payee_name": "M BROWN",
        "sort_code": "30-94-47",
        "last_four": "3445",
        "changed_on": "2026-08-04",
    },
    "reinstatement": PERIOD,
    "checklist_renewal": {
        "reference": "DP000123",
        "item_title": "Employer's liability insurance in place",
        "item_key": "insurance",
        "renews_on": "2026-09-03",
        "notice_days": 30,
    },
    "charter_renewal": {
        "number": "CM-2026-0001",
        "tier_label": "Charter Mark holder",
        "display_name": "M. Brown, Glenarden",
        "expires_on": "2028-04-30",
        "days_before": 90,
    },
    **{
        f"reminder_{stage}": PERIOD | {"stage_date": "2026-08-04"}
        for stage in ("first", "second", "final", "escalation")
    },
}
LETTERS = Path(__file__).parents[2] / "dp_portal" / "templates" / "letters"


def _kinds() -> list[str]:
    names = {p.stem for p in LETTERS.glob("*.html") if not p.stem.startswith("_")}
    return sorted(n for n in names - {"base"} if not n.endswith("_easy_read"))


def _render(app, kind: str, letter_format: str, *, online: bool = False) -> str:
    """The letter as someone with online access (`online`) or without it would get it."""
    with app.test_request_context():
        return render_html(
            kind,
            letter_format,
            recipient_name="Morag Brown",
            address_lines=["1 High Street", "Glenarden", "EH1 1YZ"],
            letter_date=date(2026, 8, 4),
            subject="Your direct payments",
            **SAMPLES[kind] | {"online": online},
        )


def test_every_letter_template_has_a_sample():
    assert set(_kinds()) == set(SAMPLES)


@pytest.mark.parametrize("online", [False, True], ids=["by post", "online"])
@pytest.mark.parametrize("kind", _kinds())
def test_standard_letters_read_at_grade_6_or_below(app, kind, online):
    blocks = prose_blocks(_render(app, kind, "standard", online=online))
    assert len(blocks) >= 5, "the check must see the letter's paragraphs"
    assert grade(blocks) <= STANDARD_GRADE, f"{kind}: grade {grade(blocks):.1f}"


@pytest.mark.parametrize(
    "kind", [k for k in _kinds() if (LETTERS / f"{k}_easy_read.html").exists()]
)
@pytest.mark.parametrize("online", [False, True], ids=["by post", "online"])
def test_easy_read_letters_are_simpler_still(app, kind, online):
    blocks = prose_blocks(_render(app, kind, "easy_read", online=online))
    assert grade(blocks) <= EASY_READ_GRADE, f"{kind}: grade {grade(blocks):.1f}"
    body = blocks[blocks.index("Your direct payments") + 1 :]
    for block in body:
        assert len(block.split()) <= EASY_READ_WORDS_PER_SENTENCE, block


def test_the_grade_tells_plain_from_dense_english():
    plain = ["We have paid you. The money is in your bank. Call us if you need help."]
    dense = [
        "Notwithstanding the aforementioned considerations, the administrative determination "
        "regarding reimbursement obligations necessitates comprehensive documentation "
        "substantiating expenditure attributable to personalised support arrangements."
    ]
    assert grade(plain) < 3 < 12 < grade(dense)
