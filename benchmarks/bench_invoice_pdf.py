"""Benchmark: an invoice PDF in under 0.3 s after the first (issue 17), median of N.

Makes a firm, an account and an issued invoice of 12 lines (discounts, tax, a partial payment and a credit, notes,
terms and payment instructions) in a throwaway database, then times what the worker does for its PDF:
`billing.delivery.invoice_pdf` (the invoice's rows read, its HTML filled in from templates/pdf/invoice.html, the
layout in a child of the warm helper, as filing does). The first PDF starts the helper and loads WeasyPrint and
is reported apart. Same-run baselines: a plain WeasyPrint render of a one-page HTML in this process (no child), and
the same page laid out in a warm child (`html_pdf.render_pdf`). Also times filing the PDF and queueing the emails
(`delivery.deliver`, rolled back) for context. Exits 1 if the median is over the limit.

    python benchmarks/bench_invoice_pdf.py [--iterations 20] [--limit-s 0.3]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.figures import figure  # noqa: E402

ONE_PAGE = ("<h1>Invoice</h1><p>Thank you for your business.</p>"
            + "<p>Bookkeeping for the month, reconciled and reviewed.</p>" * 20)
LINES = [{"name": f"Bookkeeping, month {n}", "description": "Reconciliation of two bank accounts and one card",
          "quantity": "1.5", "rate": "250", "discount": "10" if n % 3 == 0 else "", "tax": "8.25" if n % 2 else ""}
         for n in range(1, 11)] + [{"name": "2025 individual tax return (1040)", "rate": "900"},
                                   {"name": "State return", "rate": "250", "tax": "8.25"}]


def make_invoice():
    from practice import db
    from practice.migrate import upgrade
    from practice.models import Role, TeamMember
    from practice.services.actor import Actor
    from practice.services.billing import delivery, invoices
    from practice.services.firm import get_firm
    from practice.services.work import accounts

    db.reset_engine()
    upgrade()
    with db.write_session() as s:
        get_firm(s).name = "Hartley & Stone CPAs"
        member = TeamMember(name="Bench Owner", email="bench@example.com", role=Role.owner)
        s.add(member)
        s.flush()
        owner = Actor.of(member)
        account = accounts.create_account(s, owner, name="Hartley Household", type="Individual")
        accounts.create_contact(s, owner, account_ids=[account.id], first_name="Jane", last_name="Hartley",
                                email="jane@hartley.example")
        delivery.set_payment_instructions(s, owner, "Bank transfer to ACME Bank, routing 021000021, account "
                                                    "12345678, with your invoice number.\nOr mail a check to "
                                                    "Hartley & Stone CPAs, 1 Main Street, Springfield.")
        draft = invoices.save_draft(s, owner, account_id=account.id, lines=LINES, notes="Thank you for your trust.",
                                    terms="Payable within 30 days. Late balances may pause work.")
        invoices.issue(s, owner, draft.id)
        invoices.record_payment(s, owner, draft.id, amount_cents=50000, method="check", reference="1042")
        invoices.give_credit(s, owner, draft.id, amount_cents=2500, reason="Goodwill")
        return draft.id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--limit-s", type=float, default=0.3)
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="bench-invoice-")
    os.environ["PRACTICE_DATA_DIR"] = data
    os.environ["DATABASE_URL"] = f"sqlite:///{data}/bench.db"
    from practice import db
    from practice.models import Invoice
    from practice.services.billing import delivery
    from practice.services.documents import html_pdf

    invoice_id = make_invoice()

    def invoice_once() -> tuple[float, int]:
        started = time.perf_counter()
        with db.read_session() as s:
            pdf = delivery.invoice_pdf(s, s.get(Invoice, invoice_id))
        return time.perf_counter() - started, len(pdf)

    def timed(fn) -> float:
        started = time.perf_counter()
        fn()
        return time.perf_counter() - started

    print(f"{platform.node()} · {os.cpu_count()} cores · load average {os.getloadavg()[0]:.1f} · "
          f"{args.iterations} iterations")
    first, size = invoice_once()
    times = [invoice_once()[0] for _ in range(args.iterations)]
    median = statistics.median(times)
    html_pdf.layout_here(ONE_PAGE)  # loads WeasyPrint in this process too
    plain = statistics.median(timed(lambda: html_pdf.layout_here(ONE_PAGE)) for _ in range(args.iterations))
    child = statistics.median(timed(lambda: html_pdf.render_pdf(ONE_PAGE)) for _ in range(args.iterations))

    def deliver_once() -> float:
        with db.write_session() as s:
            started = time.perf_counter()
            delivery.deliver(s, s.get(Invoice, invoice_id))
            elapsed = time.perf_counter() - started
            s.rollback()
        return elapsed

    filing = statistics.median(deliver_once() for _ in range(5))
    ok = median <= args.limit_s
    print(f"invoice PDF ({size:,} bytes, {len(LINES)} lines, a payment and a credit, payment instructions)")
    print(f"  first PDF (starts the warm helper, loads WeasyPrint and fonts): {first:.3f} s")
    print(f"  median of the next {args.iterations}: {median:.3f} s   (min {min(times):.3f} s, max {max(times):.3f} s)"
          f"   limit {args.limit_s:.2f} s   {'PASS' if ok else 'FAIL'}")
    print(f"  baseline, plain WeasyPrint one-page HTML in this process, median: {plain:.3f} s")
    print(f"  baseline, the same page in a warm child (html_pdf.render_pdf), median: {child:.3f} s")
    print(f"  for context, filing it and queueing its email (delivery.deliver, rolled back), median of 5: "
          f"{filing:.3f} s")
    figure("invoice PDF render", round(median * 1000), "ms", baseline=round(plain * 1000),
           baseline_name="plain WeasyPrint one-page HTML", goal=f"<= {args.limit_s * 1000:g} ms", ok=ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
