"""Proposals and engagement letters: `templates` (and the client's step names), `sending` (send, cancel, lists,
reminders, the rules' facts), `client_flow` (open, choose, consent, sign, decline), `rendering` (the PDF, the
preview and the sealed signed copy). Shared: `lookup` (who may act on a proposal), `views`."""
