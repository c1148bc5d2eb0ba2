"""Organizers: the templates staff build (sections, questions, show-if conditions) and what a client's answers make
visible, count and allow to submit."""
