"""Billing: `invoices` (drafts and the lists, and the one place callers import invoice services from), built on
`rights` (who may), `lines` (lines and their money), `issuing` (the firm's gapless numbering, voiding) and `settling`
(payments and credits recorded by staff, and when an invoice is paid). What an account owes is
`practice.services.balances` (a leaf, so the rules' facts read it too)."""
