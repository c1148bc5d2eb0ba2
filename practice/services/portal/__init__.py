"""The client portal: contacts' logins, client tasks, approvals."""
