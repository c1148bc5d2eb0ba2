"""The tests' one set of factories: firms and their clients (firms.py), PDFs (pdfs.py, hostile_pdfs.py),
signature requests and sealed-file helpers (signing.py), proposals (proposals.py), a password-guessing attack
(attacks.py), a database that refuses a write (refusals.py). Import from here."""
from tests.factories.attacks import guess_passwords
from tests.factories.firms import (PASSWORD, actor_of, contact_actor, demo_owner, give_portal_login, make_account,
                                   make_contact, make_firm, make_household, make_job, make_member, make_pipeline,
                                   make_tag, portal_client)
from tests.factories.hostile_pdfs import normal_pdf
from tests.factories.pdfs import blank_pdf, rotated, sample_pdf
from tests.factories.organizers import ORGANIZER_1040, make_organizer
from tests.factories.proposals import make_proposal_template
from tests.factories.refusals import REFUSAL, accept_tasks_titled, refuse_tasks_titled, tasks_refused
from tests.factories.sessions import handoff_token, session_after_login
from tests.factories.signing import (PrintedText, local_tsa, make_signature_request, printed_texts, sample_fields,
                                     sample_trail, signature_fields)

__all__ = ["ORGANIZER_1040", "make_organizer", "PASSWORD", "REFUSAL", "accept_tasks_titled", "refuse_tasks_titled", "tasks_refused", "actor_of", "guess_passwords", "blank_pdf", "contact_actor", "demo_owner", "give_portal_login", "local_tsa", "make_account",
           "make_contact", "make_firm", "make_household", "make_job", "make_member", "make_pipeline",
           "make_proposal_template", "make_signature_request", "make_tag", "normal_pdf", "portal_client", "PrintedText",
           "printed_texts", "handoff_token", "session_after_login", "rotated", "sample_fields",
           "sample_pdf", "sample_trail", "signature_fields"]
