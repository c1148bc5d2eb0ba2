"""Automations: the firm's rules run on events and schedules, exactly once, each run explained."""
