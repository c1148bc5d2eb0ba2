"""Signatures. Staff side: `requests` (create, fields, send, cancel, lists); the signer's side: `signer_flow`
(open, consent, emailed code, sign, decline); `pages` (page sizes and images); `completion` (the last
signature seals); the signed file: `stamp`, `audit_page`, `seal`, `verify`; the firm's `certificates`,
`consent` and `signing_settings`. Shared: `lookup` (who may see a request), `views`, `emails`."""
