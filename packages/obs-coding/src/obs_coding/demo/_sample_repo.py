"""The throw-away repository the demo agent works on: a small invoicing library with a real bug.

The bug is the kind coding agents meet daily: a coupon is subtracted after tax
instead of before, and totals are not rounded to cents. The repository's own
unit tests (stdlib ``unittest``, so nothing extra is needed) fail until both are
fixed, which is what lets the demo show a failed first verification.
"""

from __future__ import annotations

from pathlib import Path

import git

AUTHOR = git.Actor("Dana Developer", "dana@example.com")

FILES: dict[str, str] = {
    "README.md": (
        "# invoices\n\nInvoice totals for the billing service.\n\n"
        "Coupons are fixed amounts taken off the subtotal *before* tax; totals are rounded to cents (half up).\n"
    ),
    "invoices/__init__.py": '"""Invoice models and totals."""\n',
    "invoices/models.py": '''"""Invoice data: line items and the invoice they belong to."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class LineItem:
    """One billed product: unit price times quantity."""

    sku: str
    unit_price: Decimal
    quantity: int = 1

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass
class Invoice:
    """A customer's invoice; ``region`` selects the tax rate, ``coupon`` is a fixed discount."""

    customer: str
    region: str
    items: list[LineItem] = field(default_factory=list)
    coupon: Decimal = Decimal("0")
''',
    "invoices/tax.py": '''"""Sales-tax rates by region."""

from __future__ import annotations

from decimal import Decimal

RATES: dict[str, Decimal] = {"CA": Decimal("0.0725"), "NY": Decimal("0.04"), "OR": Decimal("0")}


def tax_rate(region: str) -> Decimal:
    """Rate for ``region``; unknown regions are an error, not a silent zero."""
    try:
        return RATES[region]
    except KeyError:
        raise ValueError(f"no tax rate for region {region!r}") from None
''',
    "invoices/totals.py": '''"""Invoice totals: subtotal, coupon, tax."""

from __future__ import annotations

from decimal import Decimal

from .models import Invoice
from .tax import tax_rate


def subtotal(invoice: Invoice) -> Decimal:
    """Sum of line-item amounts."""
    return sum((item.amount for item in invoice.items), Decimal("0"))


def invoice_total(invoice: Invoice) -> Decimal:
    """What the customer pays."""
    gross = subtotal(invoice) * (1 + tax_rate(invoice.region))
    return gross - invoice.coupon
''',
    "invoices/format.py": '''"""Formatting of money for invoices and receipts."""

from __future__ import annotations

from decimal import Decimal


def format_money(amount: Decimal, currency: str = "USD") -> str:
    """``12.5`` -> ``"USD 12.50"``."""
    return f"{currency} {amount:.2f}"
''',
    "tests/__init__.py": "",
    "tests/test_totals.py": """import unittest
from decimal import Decimal

from invoices.models import Invoice, LineItem
from invoices.totals import invoice_total, subtotal


class TotalsTest(unittest.TestCase):
    def test_subtotal(self) -> None:
        invoice = Invoice("acme", "OR", [LineItem("a", Decimal("2.50"), 4)])
        self.assertEqual(subtotal(invoice), Decimal("10.00"))

    def test_coupon_is_taken_off_before_tax(self) -> None:
        invoice = Invoice("acme", "NY", [LineItem("a", Decimal("100"))], coupon=Decimal("10"))
        self.assertEqual(invoice_total(invoice), Decimal("93.60"))

    def test_total_is_rounded_to_cents(self) -> None:
        invoice = Invoice("acme", "CA", [LineItem("a", Decimal("19.99"))])
        self.assertEqual(invoice_total(invoice), Decimal("21.44"))


if __name__ == "__main__":
    unittest.main()
""",
}


def create_sample_repo(path: Path) -> git.Repo:
    """Write the project, make its first commit, and return the repository."""
    path.mkdir(parents=True, exist_ok=True)
    repo = git.Repo.init(path, initial_branch="main")
    with repo.config_writer() as config:
        config.set_value("user", "name", AUTHOR.name)
        config.set_value("user", "email", AUTHOR.email)
        config.set_value("commit", "gpgsign", "false")
    for relative, text in FILES.items():
        target = path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    repo.index.add(list(FILES))
    repo.index.commit("Invoice totals with coupons and regional tax", author=AUTHOR, committer=AUTHOR)
    return repo
