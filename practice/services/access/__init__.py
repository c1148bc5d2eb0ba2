"""Who may log in: team members and roles, staff sessions, two-factor sign-in, login throttling."""
