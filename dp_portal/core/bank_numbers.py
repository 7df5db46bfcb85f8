"""Standardising UK account numbers that are not 8 digits long, as payment files need them.

Bacs takes an 8-digit account number and a 6-digit sort code. Some banks give customers
shorter or longer numbers; Pay.UK's "Validating account numbers" (the modulus checking
specification, section on standardising non-standard account numbers) says how each is
turned into the standard form:
- 6 or 7 digits: add leading zeros to make 8;
- 9 digits (Santander, formerly Alliance & Leicester and Girobank, the only bank that issues
  them): the first digit of the account number replaces the last digit of the sort code, and
  the last 8 digits are the account number;
- 10 digits: National Westminster Bank uses the last 8 digits; the Co-operative Bank uses the
  first 8.
Any other 9- or 10-digit number is refused with a request for the 8-digit form (the bank
will give it), never guessed. The result is shown back for the officer to confirm: a number
is never changed silently.

Which bank a sort code belongs to comes from the banks' own sort code ranges below; a
council should check them against the Pay.UK industry sort code directory it subscribes to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import RuleError
from .modulus import ModulusTables, check_account

# Sort code ranges (inclusive, as 6-digit strings) of the banks whose long numbers have a
# published rule.
SANTANDER_NINE_DIGIT = (("090000", "091999"), ("720000", "729999"))
NATWEST_TEN_DIGIT = (("500000", "609999"),)
COOPERATIVE_TEN_DIGIT = (("080000", "089999"),)


@dataclass(frozen=True)
class Standardised:
    sort_code: str
    account_number: str
    # Plain words for the officer when the number (or sort code) was changed; None when the
    # details were already standard.
    note: str | None = None

    @property
    def changed(self) -> bool:
        return self.note is not None

    @property
    def masked_note(self) -> str | None:
        """The note as kept (on the change, on the second officer's page, in the audit log):
        every account number in it masked, as everywhere but the form the number is typed in.
        Sort codes are written with dashes, so they are left whole."""
        if self.note is None:
            return None
        return re.sub(r"[0-9]{6,}", lambda m: mask_account_number(m.group()), self.note)


def _in(sort_code: str, ranges: tuple[tuple[str, str], ...]) -> bool:
    return any(low <= sort_code <= high for low, high in ranges)


def _ask_for_eight(entered: str) -> RuleError:
    return RuleError(
        f"The account number has {len(entered)} digits. Ask the person for the 8-digit "
        "account number their bank uses for payments (it is on their statement, or the bank "
        "will give it)"
    )


def standardise(sort_code: str, account_number: str) -> Standardised:
    """The 8-digit form of `account_number` at `sort_code` (both digits only), or RuleError
    saying what to ask for."""
    sort_code = re.sub(r"[\s-]", "", sort_code)
    entered = re.sub(r"[\s-]", "", account_number)
    if not re.fullmatch(r"[0-9]{6}", sort_code):
        raise RuleError("Enter a sort code of 6 numbers, like 30-94-47")
    if not re.fullmatch(r"[0-9]{6,10}", entered):
        raise RuleError("Enter an account number of 6 to 10 numbers, like 00733445")
    if len(entered) == 8:
        return Standardised(sort_code, entered)
    if len(entered) in (6, 7):
        padded = entered.zfill(8)
        return Standardised(
            sort_code,
            padded,
            f"The account number {entered} has {len(entered)} digits: banks add leading "
            f"zeros to make 8, so it is {padded}.",
        )
    if len(entered) == 9 and _in(sort_code, SANTANDER_NINE_DIGIT):
        new_sort = sort_code[:5] + entered[0]
        return Standardised(
            new_sort,
            entered[1:],
            f"Santander's 9-digit account number {entered}: the first digit goes at the end "
            f"of the sort code ({_show(sort_code)} becomes {_show(new_sort)}) and the "
            f"account number is the last 8 digits, {entered[1:]}.",
        )
    if len(entered) == 10 and _in(sort_code, NATWEST_TEN_DIGIT):
        return Standardised(
            sort_code,
            entered[2:],
            f"NatWest's 10-digit account number {entered}: payments use the last 8 digits, "
            f"{entered[2:]}.",
        )
    if len(entered) == 10 and _in(sort_code, COOPERATIVE_TEN_DIGIT):
        return Standardised(
            sort_code,
            entered[:8],
            f"The Co-operative Bank's 10-digit account number {entered}: payments use the "
            f"first 8 digits, {entered[:8]}.",
        )
    raise _ask_for_eight(entered)


def sort_code_display(sort_code: str) -> str:
    return f"{sort_code[0:2]}-{sort_code[2:4]}-{sort_code[4:6]}"


_show = sort_code_display


def mask_account_number(number: str) -> str:
    """Only the last 4 digits: enough to recognise an account, not enough to pay into it."""
    return f"****{number[-4:]}"


@dataclass(frozen=True)
class NeedsConfirmation:
    """The number was standardised: show the result and ask for it to be confirmed."""

    standardised: Standardised

    @property
    def token(self) -> str:
        return f"{self.standardised.sort_code}:{self.standardised.account_number}"


def vet(
    sort_code: str, account_number: str, *, confirmed: str, tables: ModulusTables | None
) -> Standardised | NeedsConfirmation:
    """The checks every new set of bank details passes before a change is recorded (a
    person's account or an organisation's pooled account): standardised and confirmed when
    the number was not 8 digits, and modulus-checked when a Pay.UK table is installed."""
    result = standardise(sort_code, account_number)
    if result.changed and confirmed != NeedsConfirmation(result).token:
        return NeedsConfirmation(result)
    if tables is not None and not check_account(result.sort_code, result.account_number, tables):
        raise RuleError(
            "The sort code and account number do not match. Check them against a bank "
            "statement or the bank card"
        )
    return result


def require_second_person(requested_by_id: int, actor_id: int, who: str) -> None:
    """Four eyes: whoever asked for a change of where money goes never decides it."""
    if requested_by_id == actor_id:
        raise RuleError(f"You asked for this change, so {who} must approve or reject it")
