"""An invoice's lines and their money: reading what people type (quantities, rates, percentages), each line's
amount, discount and tax (integer cents, each rounded half up once), the discount and the tax on the whole invoice
spread over the lines to the cent, and the invoice's totals from its lines."""
from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation

from sqlmodel import Session

from practice import i18n
from practice.i18n import _
from practice.models import Invoice, InvoiceLine, Service
from practice.services.errors import InvalidInput
from practice.services.formatting import format_money
from practice.services.work.catalog import parse_money

MAX_LINES = 200
MAX_CENTS = 10**11           # a billion dollars: more is a typing slip (and stays far inside 64-bit sums)
MAX_QUANTITY = 1_000_000_00  # a million units, in hundredths
DEFAULT_DAYS_DUE = 30
TEXT_LIMIT = 5000
NAME_LIMIT = 300

# --- reading what people type --------------------------------------------------------------------------------


def _decimal(text, field: str, message: str) -> Decimal:
    if isinstance(text, (int, Decimal)):
        return Decimal(text)
    raw = str(text or "").strip().replace("%", "").replace("\u00a0", "").replace(" ", "")
    if i18n.current_locale() == "fr":
        raw = raw.replace(",", ".")
    try:
        value = Decimal(raw or "0")
    except InvalidOperation:
        raise InvalidInput(message.format(text=text), field=field) from None
    if not value.is_finite():
        raise InvalidInput(message.format(text=text), field=field)
    return value


def parse_quantity(text, field: str = "quantity") -> int:
    """'1.5' → 150 (hundredths); more than two decimals, zero or less, or a million and more is refused."""
    value = _decimal(text, field, _('"{text}" is not a quantity; write it like 1 or 1.5.'))
    if value <= 0:
        raise InvalidInput(_("A quantity must be more than 0."), field=field)
    hundredths = value * 100
    if hundredths != hundredths.to_integral_value():
        raise InvalidInput(_("A quantity has at most two decimals."), field=field)
    if hundredths >= MAX_QUANTITY:
        raise InvalidInput(_("That quantity is too large."), field=field)
    return int(hundredths)


def parse_percent(text, field: str) -> int:
    """'8.25' or '8.25%' → 825 (basis points), from 0 to 100%."""
    value = _decimal(text, field, _('"{text}" is not a percentage; write it like 10 or 8.25.'))
    points = value * 100
    if value < 0 or value > 100:
        raise InvalidInput(_("A percentage is between 0 and 100."), field=field)
    if points != points.to_integral_value():
        raise InvalidInput(_("A percentage has at most two decimals."), field=field)
    return int(points)


def quantity_text(hundredths: int) -> str:
    """150 → '1.5', 200 → '2' (as a form field shows it)."""
    whole, part = divmod(int(hundredths), 100)
    return str(whole) if not part else f"{whole}.{part:02d}".rstrip("0")


def percent_text(points: int) -> str:
    """825 → '8.25', 1000 → '10'."""
    return quantity_text(points)


def _half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, for numbers >= 0, in integers (no floats near money)."""
    return (2 * numerator + denominator) // (2 * denominator)


@dataclasses.dataclass(frozen=True)
class LineAmounts:
    amount_cents: int
    discount_cents: int
    tax_cents: int
    total_cents: int
    whole_discount_cents: int = 0
    whole_tax_cents: int = 0


def line_amounts(quantity_hundredths: int, rate_cents: int, discount_bp: int = 0, tax_bp: int = 0,
                 whole_share_cents: int = 0, whole_tax_cents: int = 0) -> LineAmounts:
    """A line's money: quantity x rate, the line's discount off it, then its share of the whole invoice's discount,
    tax on what is left (its own rate's, rounded half up to the cent, or its share of the tax on the whole
    invoice, worked out over all the lines it covers: `whole_tax_shares`)."""
    amount = _half_up(quantity_hundredths * rate_cents, 100)
    discount = _half_up(amount * discount_bp, 10_000)
    tax = _half_up((amount - discount - whole_share_cents) * tax_bp, 10_000)
    return LineAmounts(amount, discount, tax, amount - discount - whole_share_cents + tax + whole_tax_cents,
                       whole_share_cents, whole_tax_cents)


def _spread(total: int, weights: list[int]) -> list[int]:
    """`total` cents shared in proportion to `weights` (>= 0, not all 0), summing to `total` exactly: each share
    rounded down, the odd cents to the largest remainders, then the first ones."""
    whole = sum(weights)
    shares = [total * w // whole for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in order[:total - sum(shares)]:
        shares[i] += 1
    return shares


# --- the discount on the whole invoice -------------------------------------------------------------------------
# Applied before tax, and spread over the lines so each line's tax and total explain themselves: a percentage is
# taken off each line (after the line's own discount), an amount is shared in proportion to what the lines come to
# after their own discounts (the odd cents to the lines with the largest remainders, then the first ones).

WHOLE_KINDS = ("percent", "amount")


@dataclasses.dataclass(frozen=True)
class WholeDiscount:
    percent_bp: int = 0
    amount_cents: int = 0


def parse_whole_discount(kind: str, text) -> WholeDiscount:
    """What the editor's whole-invoice discount says: `kind` "percent" ("10" → 10 %) or "amount" ("50" → $50.00);
    empty is none."""
    raw = str(text or "").strip()
    if not raw:
        return WholeDiscount()
    if kind == "amount":
        cents = parse_money(raw, "whole_discount")
        if cents >= MAX_CENTS:
            raise InvalidInput(_("That amount is too large."), field="whole_discount")
        return WholeDiscount(amount_cents=cents)
    return WholeDiscount(percent_bp=parse_percent(raw, "whole_discount"))


def whole_shares(nets: list[int], whole: WholeDiscount) -> list[int]:
    """Each line's share of the whole discount (`nets`: what each line comes to after its own discount)."""
    if whole.percent_bp:
        return [_half_up(net * whole.percent_bp, 10_000) for net in nets]
    if not whole.amount_cents:
        return [0] * len(nets)
    total = sum(nets)
    if whole.amount_cents > total:
        raise InvalidInput(_("The discount on the whole invoice is more than its lines come to ({total}).")
                           .format(total=format_money(total)), field="whole_discount")
    return _spread(whole.amount_cents, nets)


# --- the tax on the whole invoice ------------------------------------------------------------------------------
# One rate on the invoice, for every line that has no tax rate of its own (a line with its own rate keeps it). It is
# on what those lines come to after all discounts (their own and their share of the whole invoice's), worked out
# once on their sum and rounded half up to the cent, then shared over them in proportion (`_spread`), so the lines'
# shares add up to the invoice's tax exactly.


def parse_whole_tax(text) -> int:
    """What the editor's "Tax on the whole invoice" says ("8.25" or "8.25%" → 825 basis points); empty is none."""
    raw = str(text or "").strip()
    if not raw:
        return 0
    value = _decimal(raw[:40], "whole_tax", _('"{text}" is not a tax rate: write the percentage, like 8.25.'))
    if value < 0 or value > 100:
        raise InvalidInput(_("The tax on the whole invoice is a percentage from 0 to 100, like 8.25."),
                           field="whole_tax")
    points = value * 100
    if points != points.to_integral_value():
        raise InvalidInput(_("The tax on the whole invoice has at most two decimals, like 8.25."), field="whole_tax")
    return int(points)


def whole_tax_shares(bases: list[int | None], tax_bp: int) -> list[int]:
    """Each line's share of the tax on the whole invoice: `bases` is what each line comes to after all discounts,
    None for a line with its own tax rate (it gets no share)."""
    covered = [b for b in bases if b is not None]
    if not tax_bp or not covered or sum(covered) <= 0:
        return [0] * len(bases)
    shares = iter(_spread(_half_up(sum(covered) * tax_bp, 10_000), covered))
    return [next(shares) if b is not None else 0 for b in bases]


def apply_whole(lines: list[InvoiceLine], whole: WholeDiscount, tax_bp: int = 0) -> None:
    """Give each line its share of the whole discount, then its tax (its own, or its share of the tax on the
    whole invoice) and its total after them."""
    shares = whole_shares([line.amount_cents - line.discount_cents for line in lines], whole)
    taxes = whole_tax_shares([None if line.tax_bp else line.amount_cents - line.discount_cents - share
                              for line, share in zip(lines, shares)], tax_bp)
    for line, share, tax in zip(lines, shares, taxes):
        money = line_amounts(line.quantity_hundredths, line.rate_cents, line.discount_bp, line.tax_bp, share, tax)
        line.whole_discount_cents, line.tax_cents, line.total_cents = share, money.tax_cents, money.total_cents
        line.whole_tax_cents = tax


def _read_line(session: Session, raw: dict, n: int) -> InvoiceLine:
    """One typed or catalog line, checked; the message names the line (`line 2: ...`)."""
    def fail(message: str) -> InvalidInput:
        return InvalidInput(_("Line {n}: {message}").format(n=n, message=message), field=f"line{n}")

    service = None
    if raw.get("service_id"):
        service = session.get(Service, int(raw["service_id"]))
        if service is None:
            raise fail(_("that service is no longer in the catalog."))
    name = str(raw.get("name") or (service.name if service else "")).strip()
    if not name:
        raise fail(_("say what is billed (a service or a few words)."))
    try:
        quantity = parse_quantity(raw.get("quantity", 1) if raw.get("quantity", "") != "" else 1)
        if raw.get("rate_cents") is not None:
            rate = int(raw["rate_cents"])
        elif str(raw.get("rate") or "").strip():
            rate = parse_money(str(raw["rate"]))
        else:
            rate = service.rate_cents if service else 0
        discount = parse_percent(raw.get("discount") or 0, "discount")
        tax = parse_percent(raw.get("tax") or 0, "tax")
    except InvalidInput as bad:
        raise fail(str(bad)) from None
    if rate < 0 or rate >= MAX_CENTS:
        raise fail(_("that rate is too large."))
    money = line_amounts(quantity, rate, discount, tax)
    if money.total_cents >= MAX_CENTS:
        raise fail(_("that amount is too large."))
    return InvoiceLine(invoice_id=0, service_id=service.id if service else None, name=name[:NAME_LIMIT],
                       description=str(raw.get("description") or "").strip()[:TEXT_LIMIT],
                       quantity_hundredths=quantity, rate_cents=rate, discount_bp=discount, tax_bp=tax,
                       amount_cents=money.amount_cents, discount_cents=money.discount_cents,
                       tax_cents=money.tax_cents, total_cents=money.total_cents, position=n)


def _kept(lines: list[dict]) -> list[dict]:
    return [raw for raw in lines if any(str(raw.get(k) or "").strip() for k in ("service_id", "name", "rate"))
            or raw.get("rate_cents")]


def read_lines(session: Session, lines: list[dict]) -> list[InvoiceLine]:
    """The lines a form or a template gives (blank ones skipped), checked; at least one."""
    kept = _kept(lines)
    if not kept:
        raise InvalidInput(_("Add at least one line: a service or what is billed."), field="lines")
    if len(kept) > MAX_LINES:
        raise InvalidInput(_("An invoice has at most {n} lines.").format(n=MAX_LINES), field="lines")
    return [_read_line(session, raw, n) for n, raw in enumerate(kept, start=1)]


def _totals(invoice: Invoice, lines: list[InvoiceLine]) -> None:
    """The invoice's sums from its lines, after spreading its whole discount and its whole tax over them."""
    apply_whole(lines, WholeDiscount(invoice.whole_discount_bp, invoice.whole_discount_fixed_cents),
                invoice.whole_tax_bp)
    invoice.subtotal_cents = sum(line.amount_cents for line in lines)
    invoice.discount_cents = sum(line.discount_cents for line in lines)
    invoice.tax_cents = sum(line.tax_cents for line in lines)
    invoice.whole_discount_cents = sum(line.whole_discount_cents for line in lines)
    invoice.whole_tax_cents = sum(line.whole_tax_cents for line in lines)
    invoice.total_cents = sum(line.total_cents for line in lines)


def lines_total(session: Session, lines: list[dict], whole_tax_bp: int = 0) -> int:
    """What an invoice of these lines (a template's, a series') comes to with its tax on the whole invoice."""
    read = read_lines(session, lines)
    apply_whole(read, WholeDiscount(), whole_tax_bp)
    return sum(line.total_cents for line in read)


def invoice_name(invoice: Invoice) -> str:
    """'Invoice 1042', or 'Draft invoice' before it has a number (in the reader's language)."""
    if invoice.number is None:
        return _("Draft invoice")
    return _("Invoice {number}").format(number=invoice.number)


def _recorded_name(invoice: Invoice) -> str:
    # The audit row keeps an English label, as its summaries are.
    # No "#id": people never read a record's id (the crawl and the audit journey check it).
    return f"Invoice {invoice.number}" if invoice.number is not None else "Draft invoice"
