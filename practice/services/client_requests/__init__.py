"""Client requests: a quick list of items (files, short answers, yes/no) a client or a third party provides through
a link scoped to that one request, with no login; staff send, follow and revoke them (`sending`), the recipient
answers them item by item (`answering`)."""
