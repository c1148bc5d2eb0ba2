"""Proposals and engagement letters: templates, sending, the client's choices and signature."""
