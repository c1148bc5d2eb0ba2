"""Billing: `invoices` (drafts with their lines, issuing with the firm's gapless numbering, voiding, payments and
credits recorded by staff, the lists and one invoice's view). What an account owes is `practice.services.balances`
(a leaf, so the rules' facts read it too)."""
