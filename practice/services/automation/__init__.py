"""Automations: the firm's rules run on events and schedules, exactly once, each run explained.

rulesets (text, versions) → compiled (cache) → engine (events → runs) → actions (effects, the ACTIONS
table); delays, schedules, bulk (the worker's batches), preview (try on a job), runlog, recurrence.
"""
