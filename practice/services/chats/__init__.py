"""Chats between the firm and an account's portal contacts: threads, messages, internal notes, read marks."""
