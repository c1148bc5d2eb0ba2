"""The authorization matrix: every event handler, page route, download and drive path that touches account data,
for every kind of visitor (anonymous, a contact of account A, of B, of both, an employee on A's team, an admin,
the owner), is allowed or denied as declared here; nobody reads or writes another account's data.

The handlers and routes are enumerated from the app, and each must have a row in `EXPECTED_HANDLERS` /
`EXPECTED_ROUTES`, so a new handler or page without a decided case fails this test.
"""
from __future__ import annotations

import asyncio
import base64
import dataclasses
import datetime as dt
import inspect
import types
import warnings
from urllib.parse import quote

import httpx
import pytest
from sqlmodel import select
from starlette.applications import Starlette
from starlette.routing import Route

with warnings.catch_warnings():  # Starlette would rather have httpx2; the httpx it ships with works the same here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

import practice.practice  # noqa: F401 - loads every page and state
from practice.upload_gate import UploadGate
from practice import routes
from practice.db import read_session, write_session
from practice.models import ClientTask, Role
from practice.services import templating
from practice.services.mail import templates as mail_templates
from practice.services.access import auth
from practice.services.billing import document_locks, invoices, recurring as recurring_invoices, views as billing_views, wip
from practice.services.billing import credits, refunds as billing_refunds
from practice.services.payments import refunds as payment_refunds
from practice.services.documents import drive, files as document_files, folders as document_folders, sharing
from practice.services.chats import attachments as chat_attachments, messages as chat_messages, threads as chat_threads
from practice.services.billing import delivery as invoice_delivery
from practice.services.payments import online as card_payments, settings as payment_settings
from practice.services.portal import approvals, client_tasks, logins
from practice.services.client_requests import sending as request_sending
from practice.services.proposals import sending
from practice.services.signing import pages, requests, signer_flow
from practice.services.work import accounts, audit_history, board, jobs, pipelines, removal, tasks
from practice.services.work import custom_fields as cf
from practice.services.actor import Actor
from practice.services.errors import NotFound, PermissionDenied, PracticeError
from practice.services.actor import ContactActor
from practice.state import base
from practice.state.base import ADMIN, ANYONE, CONTACT, OWNER, STAFF, AppState
from practice.state.portal import PortalState
from practice.http_routes import download_document, remember_device, sign_page_image
from practice.protective_headers import FrameGuard
from practice.session_routes import end_portal_session, end_session, start_session
from tests.factories import PASSWORD, blank_pdf, give_portal_login, make_account, make_firm, make_pipeline
from tests.security.test_state_surface import app_states

pytestmark = [pytest.mark.security, pytest.mark.firm(build=lambda monkeypatch: two_accounts_with_everything())]
PDF = blank_pdf(width=200, height=200)

# --- who is asking ---------------------------------------------------------------------------------

ANON, CONTACT_A, CONTACT_B, CONTACT_AB = "anonymous", "contact_a", "contact_b", "contact_ab"
EMPLOYEE, EMPLOYEE_SETUP, ADMIN_, OWNER_ = "employee", "employee_needing_2fa_setup", "admin", "owner"
ACTORS = (ANON, CONTACT_A, CONTACT_B, CONTACT_AB, EMPLOYEE, EMPLOYEE_SETUP, ADMIN_, OWNER_)
CONTACTS = (CONTACT_A, CONTACT_B, CONTACT_AB)
STAFF_ACTORS = (EMPLOYEE, ADMIN_, OWNER_)

# What the guard sees for each visitor (ids are arbitrary: the guard checks kinds and roles, not rows).
GUARD_ACTORS = {
    ANON: (None, False),
    CONTACT_A: (ContactActor(11, "Amy A", (1,), 1), False),
    CONTACT_B: (ContactActor(12, "Ben B", (2,), 2), False),
    CONTACT_AB: (ContactActor(13, "Cy Both", (1, 2), 1), False),
    EMPLOYEE: (Actor(3, "Eli Employee", Role.employee), False),
    EMPLOYEE_SETUP: (Actor(6, "Sam Setup", Role.employee), True),
    ADMIN_: (Actor(4, "Ann Admin", Role.admin), False),
    OWNER_: (Actor(5, "Olivia Owner", Role.owner), False),
}

# ACTOR x LEVEL -> allowed. "+setup" levels (`during_setup=True`) also let a member who must still set up
# two-factor sign-in through; every other staff handler sends that member to the setup page.
LEVEL_ALLOWS = {
    ANYONE: set(ACTORS),
    STAFF: {EMPLOYEE, ADMIN_, OWNER_},
    STAFF + "+setup": {EMPLOYEE, EMPLOYEE_SETUP, ADMIN_, OWNER_},
    ADMIN: {ADMIN_, OWNER_},
    OWNER: {OWNER_},
    CONTACT: set(CONTACTS),
}

# --- 1. every event handler ----------------------------------------------------------------------------

# Generated from the app, then reviewed: "State.handler" -> who may call it. A new handler needs a row here.
EXPECTED_HANDLERS = {
    "ApiTokensState.ask_revoke": "staff",
    "ApiTokensState.confirm_revoke": "staff",
    "ApiTokensState.create_token": "staff",
    "ApiTokensState.load": "staff",
    "ApiTokensState.secret_saved": "staff",
    "ApiTokensState.set_revoke_open": "staff",
    "ClientRequestsState.add_item": "staff",
    "ClientRequestsState.cancel": "staff",
    "ClientRequestsState.load_account": "staff",
    "ClientRequestsState.load_job": "staff",
    "ClientRequestsState.new_request": "staff",
    "ClientRequestsState.open": "staff",
    "ClientRequestsState.remove_item": "staff",
    "ClientRequestsState.revoke": "staff",
    "ClientRequestsState.send": "staff",
    "ClientRequestsState.set_item": "staff",
    "ClientRequestsState.set_recipient": "staff",
    "ClientRequestsState.use_template": "staff",
    "ClientRequestsState.tick": "staff",
    "RequestLinkState.choose": "anyone",
    "RequestLinkState.complete": "anyone",
    "RequestLinkState.enter_code": "anyone",
    "RequestLinkState.load": "anyone",
    "RequestLinkState.remove_file": "anyone",
    "RequestLinkState.save_text": "anyone",
    "RequestLinkState.save_yes_no": "anyone",
    "RequestLinkState.send_code": "anyone",
    "RequestLinkState.upload": "anyone",
    "RequestLinkState.with_device": "anyone",
    "RecurringInvoicesState.add_line": "staff",
    "RecurringInvoicesState.add_service": "staff",
    "RecurringInvoicesState.ask_turn_off_card": "staff",
    "RecurringInvoicesState.ask_delete": "staff",
    "RecurringInvoicesState.cancel": "staff",
    "RecurringInvoicesState.choose_account": "staff",
    "RecurringInvoicesState.clear_account": "staff",
    "RecurringInvoicesState.confirm_delete": "staff",
    "RecurringInvoicesState.edit": "staff",
    "RecurringInvoicesState.load": "staff",
    "RecurringInvoicesState.pause": "staff",
    "RecurringInvoicesState.remove_line": "staff",
    "RecurringInvoicesState.resume": "staff",
    "RecurringInvoicesState.save": "staff",
    "RecurringInvoicesState.search_accounts": "staff",
    "RecurringInvoicesState.set_delete_open": "staff",
    "RecurringInvoicesState.set_line": "staff",
    "RecurringInvoicesState.set_schedule": "staff",
    "RecurringInvoicesState.set_send": "staff",
    "RecurringInvoicesState.set_tax": "staff",
    "RecurringInvoicesState.set_turn_off_open": "staff",
    "RecurringInvoicesState.turn_off_card": "staff",
    "RecurringInvoicesState.use_template": "staff",
    "InvoiceTemplatesState.add_line": "admin",
    "InvoiceTemplatesState.add_service": "admin",
    "InvoiceTemplatesState.ask_delete": "admin",
    "InvoiceTemplatesState.cancel": "admin",
    "InvoiceTemplatesState.confirm_delete": "admin",
    "InvoiceTemplatesState.edit": "admin",
    "InvoiceTemplatesState.load": "admin",
    "InvoiceTemplatesState.remove_line": "admin",
    "InvoiceTemplatesState.save": "admin",
    "InvoiceTemplatesState.set_delete_open": "admin",
    "InvoiceTemplatesState.set_line": "admin",
    "InvoiceTemplatesState.set_tax": "admin",
    "RequestTemplatesState.add_item": "admin",
    "RequestTemplatesState.cancel": "admin",
    "RequestTemplatesState.delete": "admin",
    "RequestTemplatesState.edit": "admin",
    "RequestTemplatesState.load": "admin",
    "RequestTemplatesState.remove_item": "admin",
    "RequestTemplatesState.save": "admin",
    "RequestTemplatesState.set_item": "admin",
    "AccountDocumentsState.apply_template": "staff",
    "AccountDocumentsState.choose_folder": "staff",
    "AccountDocumentsState.create_folder": "staff",
    "AccountDocumentsState.delete_document": "staff",
    "AccountDocumentsState.delete_folder": "staff",
    "AccountDocumentsState.file_rejected": "staff",
    "AccountDocumentsState.handle_upload": "staff",
    "AccountDocumentsState.load": "staff",
    # Lock until paid: any member may call them; the service refuses those who do not manage invoices.
    "AccountDocumentsState.choose_lock_invoice": "staff",
    "AccountDocumentsState.open_lock": "staff",
    "AccountDocumentsState.save_lock": "staff",
    "AccountDocumentsState.set_lock_open": "staff",
    "AccountDocumentsState.unlock": "staff",
    "AccountDocumentsState.request_approval": "staff",
    "AccountDocumentsState.withdraw_approval": "staff",
    "AccountDocumentsState.choose_edit_folder": "staff",
    "AccountDocumentsState.open_edit": "staff",
    "AccountDocumentsState.restore_document": "staff",
    "AccountDocumentsState.save_edit": "staff",
    "AccountDocumentsState.set_edit_open": "staff",
    "AccountDocumentsState.set_upload_shared": "staff",
    "AccountDocumentsState.share_document": "staff",
    "AccountDocumentsState.share_folder": "staff",
    "AccountProposalsState.cancel": "staff",
    "AccountProposalsState.load": "staff",
    "AccountProposalsState.send": "staff",
    "AccountSecurityState.cancel_setup": "staff+setup",
    "AccountSecurityState.codes_saved": "staff+setup",
    "AccountSecurityState.confirm_setup": "staff+setup",
    "AccountSecurityState.load": "staff+setup",
    "AccountSecurityState.make_new_codes": "staff+setup",
    "AccountSecurityState.start_setup": "staff+setup",
    "AccountSecurityState.turn_off": "staff+setup",
    "AccountSignaturesState.load": "staff",
    "AccountState.add_contact": "staff",
    "AccountState.ask_withdraw_credit": "staff",
    "AccountState.confirm_withdraw_credit": "staff",
    "AccountState.give_account_credit": "staff",
    "AccountState.set_withdraw_credit_open": "staff",
    "AccountState.add_tag": "staff",
    "AccountState.ask_delete": "admin",
    "AccountState.ask_delete_contact": "admin",
    "AccountState.close_invite_link": "staff",
    "AccountState.confirm_delete": "admin",
    "AccountState.confirm_delete_contact": "admin",
    "AccountState.confirm_link": "staff",
    "AccountState.create_job": "staff",
    "AccountState.edit_contact": "staff",
    "AccountState.give_portal_access": "staff",
    "AccountState.link_contact": "staff",
    "AccountState.load": "staff",
    "AccountState.remove_tag": "staff",
    "AccountState.revoke_portal_access": "staff",
    "AccountState.save_account": "staff",
    "AccountState.save_contact": "staff",
    "AccountState.save_notes": "staff",
    "AccountState.search_link": "staff",
    "AccountState.set_contact_delete_open": "admin",
    "AccountState.set_contact_edit_open": "staff",
    "AccountState.set_link_confirm_open": "staff",
    "AccountState.set_delete_open": "admin",
    "AccountState.set_edit_open": "staff",
    "AccountState.unlink_contact": "staff",
    "AccountState.set_receives_invoices": "staff",
    "AccountsState.create": "staff",
    "AccountsState.go_to_page": "staff",
    "AccountsState.load": "staff",
    "AccountsState.set_dialog_open": "staff",
    "AccountsState.set_search": "staff",
    "AccountsState.set_tag_filter": "staff",
    "AccountsState.set_owing_filter": "staff",
    "AccountsState.apply_filter": "staff",
    "AccountsState.choose_filter_field": "staff",
    "AccountsState.clear_filter": "staff",
    "AccountsState.set_filter_open": "staff",
    "AccountsState.show_column": "staff",
    "AppState.choose_language": "staff",
    "AppState.log_out": "anyone",
    "AppState.require_login": "anyone",
    "AuditState.load": "staff",
    "AuditState.load_older": "admin",
    "AuditState.set_entity_filter": "admin",
    # Billing: any member may call them; the billing services refuse those without the right (cases below).
    "BillingState.choose_account": "staff",
    "BillingState.clear_account": "staff",
    "BillingState.load": "staff",
    "BillingState.search_accounts": "staff",
    "BillingState.set_status_filter": "staff",
    "InvoiceState.add_line": "staff",
    "InvoiceState.add_service": "staff",
    "InvoiceState.add_time": "staff",
    "InvoiceState.ask_remove_payment": "staff",
    "InvoiceState.choose_account": "staff",
    "InvoiceState.choose_all_time": "staff",
    "InvoiceState.confirm_delete": "staff",
    "InvoiceState.confirm_remove_payment": "staff",
    "InvoiceState.confirm_send": "staff",
    "InvoiceState.confirm_void": "staff",
    "InvoiceState.give_credit": "staff",
    "InvoiceState.ask_refund": "staff",
    "InvoiceState.set_refund_open": "staff",
    "InvoiceState.confirm_refund": "staff",
    "InvoiceState.apply_credit": "staff",
    "InvoiceState.load": "staff",
    "InvoiceState.open_time": "staff",
    "InvoiceState.record_payment": "staff",
    "InvoiceState.remove_line": "staff",
    "InvoiceState.review_send": "staff",
    "InvoiceState.save": "staff",
    "InvoiceState.search_accounts": "staff",
    "InvoiceState.set_delete_open": "staff",
    "InvoiceState.set_job": "staff",
    "InvoiceState.set_line": "staff",
    "InvoiceState.set_remove_open": "staff",
    "InvoiceState.set_send_open": "staff",
    "InvoiceState.set_text": "staff",
    "InvoiceState.set_time_job": "staff",
    "InvoiceState.set_time_open": "staff",
    "InvoiceState.set_void_open": "staff",
    "InvoiceState.toggle_time": "staff",
    "AuditState.set_member_filter": "admin",
    "AuditState.set_account_filter": "admin",
    "AuditState.set_since": "admin",
    "AuditState.set_until": "admin",
    "AuditState.clear_filters": "admin",
    "AuditState.export_csv": "admin",
    "BoardState.choose_account": "staff",
    "BoardState.choose_pipeline": "staff",
    "BoardState.clear_selection": "staff",
    "BoardState.create_job": "staff",
    "BoardState.load": "staff",
    "BoardState.move_card": "staff",
    "BoardState.move_selected": "staff",
    "BoardState.search_accounts": "staff",
    "BoardState.set_assignee_filter": "staff",
    "BoardState.set_new_job_open": "staff",
    "BoardState.set_tag_filter": "staff",
    "BoardState.show_more": "staff",
    "BoardState.toggle_selected": "staff",
    "BoardState.apply_filter": "staff",
    "BoardState.choose_filter_field": "staff",
    "BoardState.clear_filter": "staff",
    "BoardState.set_filter_open": "staff",
    "BoardState.show_column": "staff",
    "ContactsState.ask_delete_contact": "admin",
    "ContactsState.confirm_delete_contact": "admin",
    "ContactsState.edit_contact": "staff",
    "ContactsState.go_to_page": "staff",
    "ContactsState.load": "staff",
    "ContactsState.save_contact": "staff",
    "ContactsState.set_contact_delete_open": "admin",
    "ContactsState.set_contact_edit_open": "staff",
    "ContactsState.set_search": "staff",
    "DocTemplatesState.close_editor": "staff",
    "DocTemplatesState.delete_template": "admin",
    "DocTemplatesState.keep_body": "staff",
    "DocTemplatesState.keep_body_fr": "staff",
    "DocTemplatesState.keep_name": "staff",
    "DocTemplatesState.load": "staff",
    "DocTemplatesState.new_template": "admin",
    "DocTemplatesState.open_template": "staff",
    "DocTemplatesState.preview": "staff",
    "DocTemplatesState.save_template": "admin",
    "DocTemplatesState.set_delete_open": "admin",
    "EmailSettingsState.load": "staff",
    "EmailSettingsState.save_settings": "admin",
    "EmailSettingsState.send_test": "admin",
    "EmailTemplatesState.choose_account": "staff",
    "EmailTemplatesState.choose_job": "staff",
    "EmailTemplatesState.close_editor": "staff",
    "EmailTemplatesState.delete_template": "admin",
    "EmailTemplatesState.load": "staff",
    "EmailTemplatesState.new_template": "admin",
    "EmailTemplatesState.open_template": "staff",
    "EmailTemplatesState.preview": "staff",
    "EmailTemplatesState.save_template": "admin",
    "EmailTemplatesState.search_accounts": "staff",
    "EmailTemplatesState.set_delete_open": "admin",
    "EmailTemplatesState.set_draft_body": "admin",
    "EmailTemplatesState.set_draft_body_fr": "admin",
    "EmailTemplatesState.set_draft_name": "admin",
    "EmailTemplatesState.set_draft_subject": "admin",
    "EmailTemplatesState.set_draft_subject_fr": "admin",
    "FolderTemplatesState.delete": "admin",
    "FolderTemplatesState.edit": "admin",
    "FolderTemplatesState.load": "admin",
    "FolderTemplatesState.new": "admin",
    "FolderTemplatesState.save": "admin",
    "FolderTemplatesState.set_folder_shared": "admin",
    "HomeState.load": "staff",
    "AccountChatsState.load": "staff",
    "ChatsState.add_task": "staff",
    "PortalMessagesState.attach_files": "contact",
    "PortalMessagesState.close_thread": "contact",
    "PortalMessagesState.files_rejected": "contact",
    "PortalMessagesState.remove_file": "contact",
    "PortalMessagesState.load": "anyone",
    "PortalMessagesState.open_thread": "contact",
    "PortalMessagesState.send": "contact",
    "PortalMessagesState.start": "contact",
    "PortalMessagesState.tick": "contact",
    "PortalMessagesState.watch": "contact",
    "ChatsState.attach_files": "staff",
    "ChatsState.choose_account": "staff",
    "ChatsState.files_rejected": "staff",
    "ChatsState.remove_file": "staff",
    "ChatsState.close_thread": "staff",
    "ChatsState.load": "staff",
    "ChatsState.open_thread": "staff",
    "ChatsState.remove_task": "staff",
    "ChatsState.run_search": "staff",
    "ChatsState.send": "staff",
    "ChatsState.set_archived": "staff",
    "ChatsState.set_internal": "staff",
    "ChatsState.set_tab": "staff",
    "ChatsState.start": "staff",
    "ChatsState.watch": "staff",
    "ImportState.answer_all": "staff",
    "ImportState.file_rejected": "staff",
    "ImportState.handle_upload": "staff",
    "ImportState.load": "staff",
    "ImportState.run_import": "staff",
    "ImportState.set_answer": "staff",
    "ImportState.set_column_field": "staff",
    "ImportState.set_skip_bad_rows": "staff",
    "ImportState.start_over": "staff",
    "InboxState.load": "staff",
    "InboxState.mark_all_read": "staff",
    "InboxState.open_note": "staff",
    "InboxState.set_archived": "staff",
    "InboxState.set_kind": "staff",
    "InboxState.set_read": "staff",
    "InboxState.set_tab": "staff",
    "JobState.add_assignee": "staff",
    "JobState.add_client_task": "staff",
    "JobState.add_tag": "staff",
    "JobState.create_task": "staff",
    "JobState.delete_client_task": "staff",
    "JobState.load": "staff",
    "JobState.set_rename_open": "staff",
    "JobState.set_delete_open": "staff",
    "JobState.rename": "staff",
    "JobState.confirm_delete": "staff",
    "JobState.ask_delete": "staff",
    "JobState.set_task_edit_open": "staff",
    "JobState.set_task_delete_open": "staff",
    "JobState.save_task": "staff",
    "JobState.edit_task": "staff",
    "JobState.confirm_delete_task": "staff",
    "JobState.ask_delete_task": "staff",
    "JobState.move_to": "staff",
    "JobState.remove_assignee": "staff",
    "JobState.remove_tag": "staff",
    "JobState.reopen_client_task": "staff",
    "JobState.retry_run": "admin",
    "JobState.save_details": "staff",
    "JobState.set_task_status": "staff",
    "JobState.toggle_archived": "staff",
    "LoginState.log_in": "anyone",
    "ForgotPasswordState.load": "anyone",
    "ForgotPasswordState.send_link": "anyone",
    "OrganizerTemplatesState.add_section": "admin",
    "OrganizerTemplatesState.cancel_question": "admin",
    "OrganizerTemplatesState.check_show_if": "admin",
    "OrganizerTemplatesState.close_template": "admin",
    "OrganizerTemplatesState.create": "admin",
    "OrganizerTemplatesState.delete": "admin",
    "OrganizerTemplatesState.delete_question": "admin",
    "OrganizerTemplatesState.delete_section": "admin",
    "OrganizerTemplatesState.duplicate": "admin",
    "OrganizerTemplatesState.edit_question": "admin",
    "OrganizerTemplatesState.load": "admin",
    "OrganizerTemplatesState.move_question": "admin",
    "OrganizerTemplatesState.move_section": "admin",
    "OrganizerTemplatesState.new_question": "admin",
    "OrganizerTemplatesState.open_template": "admin",
    "OrganizerTemplatesState.rename": "admin",
    "OrganizerTemplatesState.rename_section": "admin",
    "OrganizerTemplatesState.save_question": "admin",
    "OrganizerTemplatesState.set_kind": "admin",
    "OrganizerTemplatesState.set_name_fr": "admin",
    "OrganizerTemplatesState.set_section_title_fr": "admin",
    "OrganizerTemplatesState.set_required": "admin",
    "ResetPasswordState.load": "anyone",
    "ResetPasswordState.set_password": "anyone",
    "LoginState.redirect_if_logged_in": "anyone",
    "LoginState.start_over": "anyone",
    "LoginState.submit_code": "anyone",
    "LoginState.toggle_recovery": "anyone",
    "NewSignatureState.choose_code": "staff",
    "NewSignatureState.create": "staff",
    "NewSignatureState.load": "staff",
    "NewSignatureState.toggle_signer": "staff",
    "OutboxState.load": "staff",
    "OutboxState.load_older": "admin",
    "OutboxState.refresh": "admin",
    "OutboxState.retry_now": "admin",
    "OutboxState.set_status_filter": "admin",
    "MergeState.choose": "admin",
    "MergeState.confirm": "admin",
    "MergeState.find": "admin",
    "MergeState.set_keep": "admin",
    "MergeState.set_open": "admin",
    "MergeState.start": "admin",
    "PipelinesState.add_stage": "admin",
    "PipelinesState.ask_delete_stage": "admin",
    "PipelinesState.confirm_delete_stage": "admin",
    "PipelinesState.create_pipeline": "admin",
    "PipelinesState.load": "staff",
    "PipelinesState.move_stage": "admin",
    "PipelinesState.rename_pipeline": "admin",
    "PipelinesState.rename_stage": "admin",
    "PipelinesState.select_pipeline": "staff",
    "PipelinesState.set_create_open": "admin",
    "PipelinesState.set_delete_open": "admin",
    "PortalActivateState.set_password": "anyone",
    "PortalDocumentsState.choose_folder": "contact",
    "PortalDocumentsState.file_rejected": "contact",
    "PortalDocumentsState.handle_upload": "contact",
    "PortalDocumentsState.load": "anyone",
    "PortalInvoicesState.load": "anyone",
    "PortalInvoicesState.cancel_card": "contact",
    "PortalInvoicesState.card_confirmed": "contact",
    "PortalInvoicesState.card_token": "contact",
    "PortalInvoicesState.start_card": "contact",
    "PortalInvoicesState.autopay_token": "contact",
    "PortalInvoicesState.cancel_autopay": "contact",
    "PortalInvoicesState.set_autopay_agree": "contact",
    "PortalInvoicesState.start_autopay": "contact",
    "PortalInvoicesState.stop_autopay": "contact",
    "PortalForgotState.load": "anyone",
    "PortalForgotState.send_link": "anyone",
    "PortalHomeState.approve": "contact",
    "PortalHomeState.keep_reason": "contact",
    "PortalHomeState.load": "anyone",
    "PortalHomeState.reject": "contact",
    "PortalLinkState.load": "anyone",
    "PortalLoginState.load": "anyone",
    "PortalLoginState.log_in": "anyone",
    "PortalProfileState.change_password": "contact",
    "PortalProfileState.choose_language": "contact",
    "PortalProfileState.load": "anyone",
    "SentOrganizersState.close": "staff",
    "SentOrganizersState.export_csv": "staff",
    "SentOrganizersState.file_pdf": "staff",
    "SentOrganizersState.load_account": "staff",
    "SentOrganizersState.load_job": "staff",
    "SentOrganizersState.mark_answer": "staff",
    "SentOrganizersState.mark_reviewed": "staff",
    "SentOrganizersState.open": "staff",
    "SentOrganizersState.reopen": "staff",
    "SentOrganizersState.send": "staff",
    "SentOrganizersState.unmark_answer": "staff",
    "PortalOrganizerState.add_entry": "contact",
    "PortalOrganizerState.ask_to_reopen": "contact",
    "PortalOrganizerState.choose": "contact",
    "PortalOrganizerState.detach": "contact",
    "PortalOrganizerState.go": "contact",
    "PortalOrganizerState.load": "anyone",
    "PortalOrganizerState.remove_entry": "contact",
    "PortalOrganizerState.save": "contact",
    "PortalOrganizerState.same_as_last_year": "contact",
    "PortalOrganizerState.save_part": "contact",
    "PortalOrganizerState.submit": "contact",
    "PortalOrganizerState.upload": "contact",
    "PortalProposalState.agree": "contact",
    "PortalProposalState.cancel_card": "contact",
    "PortalProposalState.card_confirmed": "contact",
    "PortalProposalState.card_token": "contact",
    "PortalProposalState.choose": "contact",
    "PortalProposalState.decline": "contact",
    "PortalProposalState.go": "contact",
    "PortalProposalState.load": "anyone",
    "PortalProposalState.start_card": "contact",
    "PortalProposalState.start_decline": "contact",
    "PortalProposalState.take_signature": "contact",
    "PortalResetState.set_password": "anyone",
    "PortalSignState.adopt_signature": "contact",
    "PortalSignState.agree": "contact",
    "PortalSignState.check_code": "contact",
    "PortalSignState.choose_field": "contact",
    "PortalSignState.close_decline": "contact",
    "PortalSignState.close_editor": "contact",
    "PortalSignState.close_review": "contact",
    "PortalSignState.decline": "contact",
    "PortalSignState.load": "anyone",
    "PortalSignState.next_field": "contact",
    "PortalSignState.open_decline": "contact",
    "PortalSignState.resend_code": "contact",
    "PortalSignState.review": "contact",
    "PortalSignState.save_initials": "contact",
    "PortalSignState.save_text": "contact",
    "PortalSignState.sign": "contact",
    "PortalState.log_out": "anyone",
    "PortalState.require_contact": "anyone",
    "PortalState.switch_account": "contact",
    "PortalTasksState.load": "anyone",
    "PortalTasksState.toggle": "contact",
    "ProposalTemplatesState.add_service": "admin",
    "ProposalTemplatesState.delete": "admin",
    "ProposalTemplatesState.edit": "admin",
    "ProposalTemplatesState.load": "admin",
    "ProposalTemplatesState.new": "admin",
    "ProposalTemplatesState.preview": "admin",
    "ProposalTemplatesState.remove_line": "admin",
    "ProposalTemplatesState.save": "admin",
    "ProposalTemplatesState.save_steps": "admin",
    "ProposalTemplatesState.set_line": "admin",
    "RecurringState.ask_remove": "admin",
    "RecurringState.cancel_remove": "admin",
    "RecurringState.confirm_remove": "admin",
    "RecurringState.load": "staff",
    "RecurringState.save": "admin",
    "RecurringState.set_at": "admin",
    "RecurringState.set_due_amount": "admin",
    "RecurringState.set_field": "admin",
    "RecurringState.set_job_name": "admin",
    "RecurringState.set_name": "admin",
    "RulesEditorState.ask_restore": "admin",
    "ParkedState.close_preview": "admin",
    "ParkedState.dismiss": "admin",
    "ParkedState.load": "staff",
    "ParkedState.preview": "admin",
    "ParkedState.retry": "admin",
    "ParkedState.set_show_dismissed": "admin",
    "RulesEditorState.choose_job": "admin",
    "RulesEditorState.confirm_restore": "admin",
    "RulesEditorState.discard_changes": "admin",
    "RulesEditorState.insert_example": "admin",
    "RulesEditorState.jump_to": "admin",
    "RulesEditorState.load": "staff",
    "RulesEditorState.save": "admin",
    "RulesEditorState.search_jobs": "admin",
    "RulesEditorState.set_diff_open": "admin",
    "RulesEditorState.set_draft": "admin",
    "RulesEditorState.set_restore_open": "admin",
    "RulesEditorState.set_try_event": "admin",
    "RulesEditorState.set_try_stage": "admin",
    "RulesEditorState.set_try_tag": "admin",
    "RulesEditorState.show_diff": "admin",
    "RulesEditorState.try_on_job": "admin",
    "RunLogState.load": "staff",
    "RunLogState.refresh": "admin",
    "RunLogState.retry": "admin",
    "RunLogState.set_status_filter": "admin",
    "RunLogState.toggle_trace": "admin",
    "SettingsState.back_up_now": "owner",
    "SettingsState.create_tag": "admin",
    "SettingsState.load": "staff",
    "SettingsState.save_backup": "owner",
    "SettingsState.save_firm": "admin",
    "SettingsState.save_service": "admin",
    "SettingsState.set_require_two_factor": "admin",
    "SettingsState.set_service_open": "admin",
    "SettingsState.start_service": "admin",
    "SignatureRequestState.cancel_request": "staff",
    "SignatureRequestState.change_field_kind": "staff",
    "SignatureRequestState.change_field_signer": "staff",
    "SignatureRequestState.choose_kind": "staff",
    "SignatureRequestState.choose_signer": "staff",
    "SignatureRequestState.delete_field": "staff",
    "SignatureRequestState.move_field": "staff",
    "SignatureRequestState.nudge_field": "staff",
    "SignatureRequestState.load": "staff",
    "SignatureRequestState.place": "staff",
    "SignatureRequestState.place_by_numbers": "staff",
    "SignatureRequestState.save_fields": "staff",
    "SignatureRequestState.select_field": "staff",
    "SignatureRequestState.send": "staff",
    "SignatureRequestState.set_cancel_open": "staff",
    "SignatureRequestState.undo_field_change": "staff",
    "CustomFieldsState.ask_delete": "admin",
    "CustomFieldsState.confirm_delete": "admin",
    "CustomFieldsState.create_field": "admin",
    "CustomFieldsState.load": "admin",
    "CustomFieldsState.move": "admin",
    "CustomFieldsState.save_edit": "admin",
    "CustomFieldsState.set_delete_open": "admin",
    "CustomFieldsState.set_edit_open": "admin",
    "CustomFieldsState.set_new_type": "admin",
    "CustomFieldsState.start_edit": "admin",
    "CustomValuesState.load_account": "staff",
    "ContactValuesState.load_contact": "staff",
    "ContactValuesState.save": "staff",
    "CustomValuesState.load_job": "staff",
    "CustomValuesState.save": "staff",
    "FieldPlaceholdersState.load": "staff",
    "FieldTypeState.apply": "admin",
    "FieldTypeState.check": "admin",
    "FieldTypeState.set_open": "admin",
    "FieldTypeState.set_type": "admin",
    "FieldTypeState.start": "admin",
    "PaymentSettingsState.load": "admin",
    "PaymentSettingsState.save": "admin",
    "PaymentSettingsState.turn_off": "admin",
    "SigningSettingsState.certificate_rejected": "admin",
    "SigningSettingsState.download_certificate": "admin",
    "SigningSettingsState.load": "admin",
    "SigningSettingsState.open_confirm": "admin",
    "SigningSettingsState.regenerate": "admin",
    "SigningSettingsState.remember_password": "admin",
    "SigningSettingsState.save_disclosure": "admin",
    "SigningSettingsState.save_tsa": "admin",
    "SigningSettingsState.set_confirm_open": "admin",
    "SigningSettingsState.upload_certificate": "admin",
    "TasksState.add_comment": "staff",
    "TasksState.add_subtask": "staff",
    "TasksState.choose_new_assignee": "staff",
    "TasksState.create": "staff",
    "TasksState.load": "staff",
    "TasksState.set_task_edit_open": "staff",
    "TasksState.set_task_delete_open": "staff",
    "TasksState.save_task": "staff",
    "TasksState.edit_task": "staff",
    "TasksState.confirm_delete_task": "staff",
    "TasksState.ask_delete_task": "staff",
    "TasksState.open_detail": "staff",
    "TasksState.set_detail_open": "staff",
    "TasksState.set_scope": "staff",
    "TasksState.set_status": "staff",
    "TasksState.set_status_filter": "staff",
    "TasksState.start_task_timer": "staff",
    "TasksState.stop_timer": "staff",
    "TasksState.count_idle": "staff",
    "TasksState.set_idle_open": "staff",
    "JobTimerState.count_idle": "staff",
    "JobTimerState.load_job": "staff",
    "JobTimerState.set_idle_open": "staff",
    "JobTimerState.start": "staff",
    "JobTimerState.stop_timer": "staff",
    "TimeState.add_entry": "staff",
    "TimeState.bill_work": "staff",
    "TimeState.choose_account": "staff",
    "TimeState.clear_account": "staff",
    "TimeState.count_idle": "staff",
    "TimeState.ask_delete_entry": "staff",
    "TimeState.choose_member": "staff",
    "TimeState.confirm_delete_entry": "staff",
    "TimeState.edit_entry": "staff",
    "TimeState.save_entry": "staff",
    "TimeState.set_entry_delete_open": "staff",
    "TimeState.set_entry_edit_open": "staff",
    "TimeState.load": "staff",
    "TimeState.search_accounts": "staff",
    "TimeState.set_idle_open": "staff",
    "TimeState.start_timer": "staff",
    "TimeState.stop_timer": "staff",
    "TeamState.add_member": "owner",
    "TeamState.load": "staff",
    "TeamState.save_role": "owner",
    "TeamState.set_add_open": "owner",
    "TeamState.set_edit_open": "owner",
    "TeamState.start_edit": "owner",
    "VerifyState.download_certificate": "anyone",
    "VerifyState.file_rejected": "anyone",
    "VerifyState.handle_upload": "anyone",
    "VerifyState.load": "anyone",
    "WebhooksState.ask_delete": "admin",
    "WebhooksState.close_log": "admin",
    "WebhooksState.confirm_delete": "admin",
    "WebhooksState.create_subscription": "admin",
    "WebhooksState.load": "admin",
    "WebhooksState.make_new_secret": "admin",
    "WebhooksState.open_log": "admin",
    "WebhooksState.refresh": "admin",
    "WebhooksState.replay": "admin",
    "WebhooksState.secret_saved": "admin",
    "WebhooksState.set_allow_private": "admin",
    "WebhooksState.set_delete_open": "admin",
    "WebhooksState.set_enabled": "admin",
}


def _handlers() -> dict[str, tuple[type, object]]:
    """Every public event handler of every app state, as "State.handler" -> (state class, guarded function)."""
    found = {}
    for cls in app_states():
        for name, handler in cls.event_handlers.items():
            if name.startswith("_") or name == "setvar":
                continue
            key = f"{cls.__name__}.{name}"
            assert key not in found, f"two states are called {cls.__name__}: the matrix keys by name"
            found[key] = (cls, handler.fn)
    return found


def _cells(fn) -> dict:
    return dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))


def _declared(fn) -> str:
    """The level `allow(...)` wrapped this function with, read from the guard itself."""
    admit = _cells(fn)["admit"].cell_contents
    setup = _cells(admit)["during_setup"].cell_contents
    return fn.__practice_access__ + ("+setup" if setup else "")


def _with_recording_body(wrapper, calls: list):
    """A copy of the guard's real wrapper whose body only records that it ran (the guard logic is untouched)."""
    original = _cells(wrapper)["fn"].cell_contents
    if inspect.isasyncgenfunction(original):
        async def body(self, *args, **kwargs):
            calls.append(self)
            yield "BODY"
    elif inspect.isgeneratorfunction(original):
        def body(self, *args, **kwargs):
            calls.append(self)
            yield "BODY"
    elif inspect.iscoroutinefunction(original):
        async def body(self, *args, **kwargs):
            calls.append(self)
            return "BODY"
    else:
        def body(self, *args, **kwargs):
            calls.append(self)
            return "BODY"
    closure = tuple(types.CellType(body) if name == "fn" else cell
                    for name, cell in zip(wrapper.__code__.co_freevars, wrapper.__closure__))
    return types.FunctionType(wrapper.__code__, wrapper.__globals__, wrapper.__name__, wrapper.__defaults__, closure)


def outcome(fn, stub):
    """Call a (possibly generator or async) handler; the list of what it sent back."""
    result = fn(stub)
    if inspect.isasyncgen(result):
        async def collect():
            return [item async for item in result]
        return asyncio.run(collect())
    if inspect.isgenerator(result):
        return list(result)
    if inspect.iscoroutine(result):
        return [asyncio.run(result)]
    return [result]


def _stub(cls: type, who: str):
    """A stand-in state whose login lookups answer `who`, shaped like `cls` (staff states have `_access`)."""
    actor, needs_setup = GUARD_ACTORS[who]
    members = {"_actor": lambda self: actor}
    if issubclass(cls, AppState):
        members["_access"] = lambda self: (actor, needs_setup)
    if issubclass(cls, PortalState):
        members["_login_url"] = lambda self: routes.PORTAL_LOGIN
    return type(cls.__name__, (), members)()


def test_every_handler_has_a_decided_case():
    found = _handlers()
    missing = sorted(set(found) - set(EXPECTED_HANDLERS))
    gone = sorted(set(EXPECTED_HANDLERS) - set(found))
    assert not missing, "add these handlers to EXPECTED_HANDLERS with who may call them: " + ", ".join(missing)
    assert not gone, "these handlers no longer exist; remove them from EXPECTED_HANDLERS: " + ", ".join(gone)
    changed = {k: (EXPECTED_HANDLERS[k], _declared(fn)) for k, (_, fn) in found.items()
               if _declared(fn) != EXPECTED_HANDLERS[k]}
    assert not changed, f"declared level differs from the matrix (expected, declared): {changed}"


def test_portal_states_are_not_staff_states():
    # The stub shapes rely on it: a state is either behind the staff login or the portal login (their common parent,
    # LangState, only holds the tab's language: no handler, nothing to call).
    assert not [name for name in base.LangState.event_handlers if not name.startswith("_") and name != "setvar"]
    for cls in app_states():
        if cls is base.LangState:
            continue
        assert not (issubclass(cls, AppState) and issubclass(cls, PortalState)), cls.__name__
        assert issubclass(cls, (AppState, PortalState)), f"{cls.__name__} is behind neither login"


def test_each_handler_runs_only_for_the_actors_its_level_allows(monkeypatch):
    denials = []
    monkeypatch.setattr(base, "_record_denial", lambda actor, handler: denials.append((actor.name, handler)))
    wrong, checked = [], 0
    for key, (cls, fn) in sorted(_handlers().items()):
        level = EXPECTED_HANDLERS[key]
        for who in ACTORS:
            calls: list = []
            before = len(denials)
            sent = outcome(_with_recording_body(fn, calls), _stub(cls, who))
            allowed = who in LEVEL_ALLOWS[level]
            # Portal states have no two-factor step: a member needing setup is just a member there.
            if issubclass(cls, PortalState) and who == EMPLOYEE_SETUP:
                allowed = EMPLOYEE in LEVEL_ALLOWS[level]
            checked += 1
            if allowed:
                if len(calls) != 1 or sent != ["BODY"]:
                    wrong.append(f"{key} as {who}: expected to run, got {sent!r}")
                continue
            if calls or "BODY" in sent or not sent or sent[0] is None:
                wrong.append(f"{key} as {who}: expected a refusal without running, got {sent!r}")
                continue
            text = repr(sent)
            if who == ANON:
                login = routes.PORTAL_LOGIN if issubclass(cls, PortalState) else routes.LOGIN
                if login not in text:
                    wrong.append(f"{key} as {who}: expected a redirect to {login}, got {text}")
            elif who == EMPLOYEE_SETUP and level in (STAFF,):
                if routes.ACCOUNT_SECURITY not in text:
                    wrong.append(f"{key} as {who}: expected a redirect to the two-factor setup, got {text}")
            elif GUARD_ACTORS[who][0].__class__ is Actor and len(denials) != before + 1:
                wrong.append(f"{key} as {who}: a member's refusal was not audited")
    assert checked == len(EXPECTED_HANDLERS) * len(ACTORS)
    assert not wrong, f"{len(wrong)} wrong outcomes:\n" + "\n".join(wrong[:40])


# --- 2. the pages ----------------------------------------------------------------------------------------

# Every route of the app: a staff page (behind the staff login), a portal page (behind the portal login),
# or a public page (login, activation and password reset links). A new page needs a row here.
STAFF_PAGE, PORTAL_PAGE, PUBLIC_PAGE = "staff", "portal", "public"
EXPECTED_ROUTES = {
    "index": STAFF_PAGE, "inbox": STAFF_PAGE, "chats": STAFF_PAGE, "accounts": STAFF_PAGE, "accounts/[account_id]": STAFF_PAGE,
    "contacts": STAFF_PAGE, "board": STAFF_PAGE, "jobs/[job_id]": STAFF_PAGE, "tasks": STAFF_PAGE,
    "pipelines": STAFF_PAGE, "team": STAFF_PAGE, "settings": STAFF_PAGE, "settings/api-tokens": STAFF_PAGE,
    "settings/webhooks": STAFF_PAGE, "settings/payments": STAFF_PAGE,
    "audit": STAFF_PAGE, "import": STAFF_PAGE,
    "email": STAFF_PAGE, "email/templates": STAFF_PAGE, "email/outbox": STAFF_PAGE,
    "automations/rules": STAFF_PAGE, "automations/recurring": STAFF_PAGE, "automations/runs": STAFF_PAGE,
    "automations/set-aside": STAFF_PAGE,
    "documents/templates": STAFF_PAGE, "account-security": STAFF_PAGE, "proposals/templates": STAFF_PAGE, "organizers/templates": STAFF_PAGE,
    "accounts/[account_id]/signatures/new": STAFF_PAGE, "signatures/[request_id]": STAFF_PAGE,
    "signatures/templates": STAFF_PAGE,
    "portal": PORTAL_PAGE, "portal/tasks": PORTAL_PAGE, "portal/messages": PORTAL_PAGE, "portal/documents": PORTAL_PAGE, "portal/profile": PORTAL_PAGE,
    "portal/proposals/[proposal_id]": PORTAL_PAGE, "portal/sign/[request_id]": PORTAL_PAGE,
    "portal/invoices": PORTAL_PAGE, "portal/organizers": PORTAL_PAGE, "portal/organizers/[organizer_id]": PORTAL_PAGE,
    "login": PUBLIC_PAGE, "forgot-password": PUBLIC_PAGE, "reset-password": PUBLIC_PAGE, "portal/login": PUBLIC_PAGE, "portal/activate": PUBLIC_PAGE, "portal/forgot": PUBLIC_PAGE,
    "portal/reset": PUBLIC_PAGE, "settings/signing": STAFF_PAGE, "verify": PUBLIC_PAGE, "settings/fields": STAFF_PAGE,
    "request/[token]": PUBLIC_PAGE, "requests/templates": STAFF_PAGE,
    "billing": STAFF_PAGE, "billing/invoices/[invoice_id]": STAFF_PAGE, "billing/templates": STAFF_PAGE,
    "billing/recurring": STAFF_PAGE,
    "time": STAFF_PAGE,
}
# Portal pages check the login in their on_load (an ANYONE handler that redirects strangers) because the
# header also shows on them; these are those loads, whose bodies test_portal_loads_send_strangers_to_login runs.
PORTAL_LOADS = {"PortalHomeState.load", "PortalTasksState.load", "PortalMessagesState.load", "PortalDocumentsState.load",
                "PortalProfileState.load", "PortalProposalState.load", "PortalSignState.load",
                "PortalOrganizerState.load", "PortalInvoicesState.load"}


def _on_load(page) -> list:
    handlers = page.on_load if isinstance(page.on_load, list) else [page.on_load] if page.on_load else []
    return [h.fn for h in handlers]


def _state_of(fn) -> type:
    name = fn.__qualname__.split(".")[0]
    return next(cls for cls in [AppState, PortalState, *app_states()] if cls.__name__ == name)


# Reflex adds its own not-found page when the app is compiled (the browser journeys compile it in this
# process): it shows no data and calls no handler.
FRAMEWORK_PAGES = {"404"}


def _backend_routes() -> dict:
    """The backend's own HTTP routes by path, as the app's `api_transformer`s put them in front of Reflex's (inside
    the upload gate, the outermost)."""
    front = practice.practice.app.api_transformer(Starlette())
    front = front.app if isinstance(front, FrameGuard) else front  # the frame policy's wrapper, outermost
    assert isinstance(front, UploadGate)
    return {getattr(r, "path", None): r for r in front.app.routes}


def test_every_route_has_a_decided_case_and_its_login_check():
    pages = {route: page for route, page in practice.practice.app._unevaluated_pages.items()
             if route not in FRAMEWORK_PAGES}
    missing = sorted(set(pages) - set(EXPECTED_ROUTES))
    gone = sorted(set(EXPECTED_ROUTES) - set(pages))
    assert not missing, "add these routes to EXPECTED_ROUTES (staff, portal or public): " + ", ".join(missing)
    assert not gone, "these routes no longer exist; remove them from EXPECTED_ROUTES: " + ", ".join(gone)
    for route, kind in EXPECTED_ROUTES.items():
        loads = _on_load(pages[route])
        states = [_state_of(fn) for fn in loads]
        assert loads, f"{route} has no on_load"
        if kind == STAFF_PAGE:
            # The staff login check runs first; every other load is a staff handler needing a login.
            assert loads[0].__qualname__ == "AppState.require_login", route
            for fn, cls in zip(loads[1:], states[1:]):
                assert issubclass(cls, AppState) and fn.__practice_access__ != ANYONE, f"{route}: {fn.__qualname__}"
        elif kind == PORTAL_PAGE:
            assert all(issubclass(cls, PortalState) for cls in states), route
            assert {f"{cls.__name__}.{fn.__name__}" for fn, cls in zip(loads, states)} <= PORTAL_LOADS, \
                route
        else:
            assert all(fn.__practice_access__ == ANYONE for fn in loads), route
    # The document download, the sign page images and the login cookie's routes are the backend routes outside the
    # pages (the cookie routes act only on a one-time token or the caller's own cookie: test_session_cookies.py).
    api_routes = _backend_routes()
    assert api_routes[routes.FILE_DOWNLOAD].endpoint is download_document
    assert api_routes[routes.SIGN_PAGE_IMAGE].endpoint is sign_page_image
    # Public: it takes only a grant that a correct login just gave the page (tests/security/test_remember_device.py).
    assert api_routes[routes.REMEMBER_DEVICE].endpoint is remember_device
    assert api_routes[routes.SESSION_START].endpoint is start_session
    assert api_routes[routes.SESSION_END].endpoint is end_session
    assert api_routes[routes.PORTAL_SESSION_END].endpoint is end_portal_session


def test_portal_loads_send_strangers_to_login():
    handlers = _handlers()
    for key in sorted(PORTAL_LOADS):
        cls, fn = handlers[key]
        refreshed = []

        class Stranger:
            """A visitor with no (or an ended) portal session, on a real portal page load."""
            _enter = PortalState.__dict__["_enter"]
            _open = PortalState.__dict__["_open"]
            _show_visit = PortalState.__dict__["_show_visit"]
            _session_id = staticmethod(lambda: "")
            _actor = staticmethod(lambda: None)
            _refresh = lambda self, actor, seen=refreshed: seen.append(actor)  # noqa: E731

        # The stranger has no router: a load that registered its tab with the badge poller would fail here.
        sent = outcome(fn, Stranger())
        assert routes.PORTAL_LOGIN in repr(sent) and not refreshed, key


# --- 3. objects of one account, asked for by everyone ----------------------------------------------------

CLIENT_PASS = "matrix-client-pass-9"


def _activate(owner: Actor, contact_id: int) -> None:
    give_portal_login(owner, contact_id, CLIENT_PASS)


def two_accounts_with_everything():
    """Accounts A and B, each with a job, a task, a client task, a document waiting for approval and a
    contact of its own; a contact of both; an employee on A's team only; an admin; the owner. Contacts
    have active portal logins."""
    f: dict = {"email": {}}
    with write_session() as s:
        staff = make_firm(s, owner={"name": "Olivia Owner", "email": "owner@firm.example"},
                          admins={"admin": {"name": "Ann Admin", "email": "admin@firm.example"}},
                          employees={"employee": {"name": "Eli Employee", "email": "eli@firm.example"}})
        owner, admin, employee = staff["owner"], staff["admin"], staff["employee"]
        pipeline = make_pipeline(s, owner)
        f["pipeline"] = pipeline.id
        f["last_stage"] = max(st.id for st in pipelines.stages_of(s, pipeline.id))
        for key, name in (("A", "Acme Tax"), ("B", "Bolt Books")):
            account = make_account(s, owner, name=name)
            job = jobs.create_job(s, owner, account_id=account.id, pipeline_id=pipeline.id, name=f"{name} 1040")
            task = tasks.create_task(s, owner, title=f"Review {name}", account_id=account.id, job_id=job.id)
            ctask = client_tasks.create_client_task(s, owner, job.id, title=f"Upload {name} W-2")
            folder = document_folders.create_folder(s, owner, account.id, "Tax returns")
            private = document_folders.create_folder(s, owner, account.id, "Working papers", shared=False)
            thread = chat_threads.start_thread(s, owner, account_id=account.id, subject=f"{name} return", job_id=job.id)
            asked = chat_messages.write_as_staff(s, owner, thread.id, "Please upload",
                                                 tasks=[chat_messages.TaskRequest(f"Send {name} 1099")])
            note = chat_messages.write_as_staff(s, owner, thread.id, "Internal: check the 1099", internal=True)
            chat_task = s.exec(select(ClientTask.id).where(ClientTask.message_id == asked.id)).one()
            f[key] = dict(account=account.id, job=job.id, task=task.id, ctask=ctask.id, folder=folder.id,
                          private_folder=private.id, thread=thread.id, message=asked.id, note=note.id,
                          chat_task=chat_task)
        accounts.add_team_member_to_account(s, owner, f["A"]["account"], employee.member_id)
        for key in ("A", "B"):  # an issued invoice and a draft on each account
            lines = [{"name": "Tax return", "rate": "500"}]
            issued = invoices.save_draft(s, owner, account_id=f[key]["account"], lines=lines)
            f[key]["invoice"] = invoices.issue(s, owner, issued.id).id
            f[key]["invoice_draft"] = invoices.save_draft(s, owner, account_id=f[key]["account"], lines=lines).id
            f[key]["series"] = recurring_invoices.save_series(
                s, owner, account_id=f[key]["account"], name="Monthly bookkeeping", lines=lines, interval="monthly",
                start_date=invoices.firm_today(s) + dt.timedelta(days=3)).id
        contact_ids = {}
        for who, linked, first, email in ((CONTACT_A, ["A"], "Amy", "amy@a.example"),
                                          (CONTACT_B, ["B"], "Ben", "ben@b.example"),
                                          (CONTACT_AB, ["A", "B"], "Cy", "cy@ab.example")):
            contact = accounts.create_contact(s, owner, account_ids=[f[k]["account"] for k in linked],
                                              first_name=first, last_name="Client", email=email)
            contact_ids[who] = contact.id
            f["email"][who] = email
        f["A"]["contact"], f["B"]["contact"] = contact_ids[CONTACT_A], contact_ids[CONTACT_B]
        for key in ("A", "B"):  # not yet invited to the portal
            f[key]["fresh_contact"] = accounts.create_contact(s, owner, account_ids=[f[key]["account"]],
                                                             first_name="New", last_name=key,
                                                             email=f"new@{key.lower()}.example").id
    for key in ("A", "B"):
        doc = document_files.upload(owner, f[key]["account"], f[key]["folder"], f"{key} return.pdf", PDF)
        f[key]["doc"] = doc.id
        # Internal: one uploaded as such into a shared folder, one in an internal folder, the original to sign,
        # and a draft the client is asked to approve (which opens for them through the approval only).
        f[key]["internal_doc"] = document_files.upload(owner, f[key]["account"], f[key]["folder"],
                                                       f"{key} notes.pdf", PDF, shared=False).id
        f[key]["private_doc"] = document_files.upload(owner, f[key]["account"], f[key]["private_folder"],
                                                      f"{key} review.pdf", PDF).id
        f[key]["sign_doc"] = document_files.upload(owner, f[key]["account"], f[key]["folder"],
                                                   f"{key} 8879.pdf", PDF).id
        draft = document_files.upload(owner, f[key]["account"], f[key]["private_folder"], f"{key} draft.pdf", PDF)
        f[key]["draft_doc"] = draft.id
        with write_session() as s:
            f[key]["approval"] = approvals.request_approval(s, owner, document_ids=[doc.id])[0].id
            approvals.request_approval(s, owner, document_ids=[draft.id])
    for contact_id in contact_ids.values():
        _activate(owner, contact_id)
    for key, own in (("A", CONTACT_A), ("B", CONTACT_B)):
        # A sent request (the account's own contact and the contact of both sign, in any order) and a draft.
        with write_session() as s:
            for name, sent in (("sigreq", True), ("sigdraft", False)):
                req = requests.create_request(s, owner, f[key]["account"], title=f"{key} 8879", in_order=False,
                                                signer_contact_ids=[contact_ids[own], contact_ids[CONTACT_AB]],
                                                document_id=f[key]["sign_doc"])
                signer_ids = [x.id for x in requests.request_detail(s, owner, req.id).signers]
                requests.set_fields(s, owner, req.id, [{"signer_id": i, "kind": "signature", "page": 0, "x": 0.1,
                                                          "y": 0.1 + n * 0.2, "width": 0.5, "height": 0.1}
                                                         for n, i in enumerate(signer_ids)])
                if sent:
                    requests.send(s, owner, req.id)
                f[key][name] = req.id
    f["email"].update({EMPLOYEE: "eli@firm.example", ADMIN_: "admin@firm.example", OWNER_: "owner@firm.example"})
    f["actor"] = {EMPLOYEE: employee, ADMIN_: admin, OWNER_: owner}
    f["sid"] = {}
    with write_session() as s:
        for who in CONTACTS:
            f["sid"][who] = logins.log_in(s, f["email"][who], CLIENT_PASS)
        for who in STAFF_ACTORS:
            f["sid"][who], _ = auth.log_in(s, f["email"][who], PASSWORD)
    with read_session() as s:
        for who in CONTACTS:
            f["actor"][who] = logins.actor_for_portal_session(s, f["sid"][who])
    f["linked"] = {CONTACT_A: {"A"}, CONTACT_B: {"B"}, CONTACT_AB: {"A", "B"}}
    return f


def sees(f, who: str, key: str) -> bool:
    """The rule the whole matrix checks: whose data each visitor may read."""
    if who in (ADMIN_, OWNER_):
        return True
    if who == EMPLOYEE:
        return key == "A"
    if who in CONTACTS:
        return key in f["linked"][who]
    return False


def _doc_actor(f, who):
    """How the documents service sees a visitor: the staff actor, or the portal's own ContactActor."""
    return f["actor"][who]


def _staff_or_uploader_admin(f, who, key):
    # The documents were uploaded by the owner: only admins and the owner may delete them.
    return who in (ADMIN_, OWNER_)


def _admins(f, who, key):
    return who in (ADMIN_, OWNER_)


def _staff_sees(f, who, key):
    return who in STAFF_ACTORS and sees(f, who, key)


def _contact_sees(f, who, key):
    return who in CONTACTS and sees(f, who, key)


def _owner_only(f, who, key):
    return who == OWNER_


def _biller(f, who: str):
    """The visitor, given both billing rights when an employee (owners and admins have them already)."""
    actor = f["actor"][who]
    return dataclasses.replace(actor, can_manage_billing=True, can_see_billing=True) if who == EMPLOYEE else actor


def _a_payment(s, f, key: str) -> int:
    """A check the owner recorded on the account's invoice, in the case's own (rolled back) session."""
    return invoices.record_payment(s, f["actor"][OWNER_], f[key]["invoice"], amount_cents=100, method="check").id


def _a_credit(s, f, key: str) -> int:
    """A credit note the owner gave the account, in the case's own (rolled back) session."""
    return credits.give_account_credit(s, f["actor"][OWNER_], f[key]["account"], amount_cents=100, reason="Goodwill").id


def _a_field(s, f, entity: str) -> int:
    """A field defined by the owner in the case's own (rolled back) session."""
    return cf.define_field(s, f["actor"][OWNER_], entity=entity, label="Filing status").id


# (entry point, who may be asked, call(session, f, who, key) -> True when it answered with the object,
#  expected(f, who, key)). Every call that does not raise a PracticeError counts as access granted, except
#  for lists, whose answer says whether the object was in them. Writes are rolled back.
BOTH, STAFF_ONLY, CONTACT_ONLY = set(CONTACTS) | set(STAFF_ACTORS), set(STAFF_ACTORS), set(CONTACTS)
SERVICE_CASES = [
    # Billing: an employee without the billing rights reaches no invoice; given them, only their accounts' invoices.
    ("invoices.invoice_view (no billing right for employees)", STAFF_ONLY,
     lambda s, f, w, k: invoices.invoice_view(s, f["actor"][w], f[k]["invoice"]) and True, _admins),
    ("invoices.invoice_view (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: invoices.invoice_view(s, _biller(f, w), f[k]["invoice"]) and True, sees),
    ("invoices.list_invoices (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: f[k]["invoice"] in [r.id for r in invoices.list_invoices(s, _biller(f, w))], sees),
    ("billing_views.due_summary (billing rights, one account)", STAFF_ONLY,
     lambda s, f, w, k: billing_views.due_summary(s, _biller(f, w), account_id=f[k]["account"]).due_cents > 0,
     sees),
    ("invoices.save_draft (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: invoices.save_draft(s, _biller(f, w), account_id=f[k]["account"],
                                            lines=[{"name": "Advice", "rate": "90"}]) and True, sees),
    ("wip.unbilled_of_account (no billing right for employees)", STAFF_ONLY,
     lambda s, f, w, k: wip.unbilled_of_account(s, f["actor"][w], f[k]["account"]) is not None, _admins),
    ("wip.unbilled_of_account (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: wip.unbilled_of_account(s, _biller(f, w), f[k]["account"]) is not None, sees),
    ("recurring.list_series (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: f[k]["series"] in [r.id for r in recurring_invoices.list_series(s, _biller(f, w))], sees),
    ("recurring.get_series (no billing right for employees)", STAFF_ONLY,
     lambda s, f, w, k: recurring_invoices.get_series(s, f["actor"][w], f[k]["series"]) and True, _admins),
    ("recurring.save_series (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: recurring_invoices.save_series(
         s, _biller(f, w), account_id=f[k]["account"], name="Quarterly payroll", lines=[{"name": "Payroll", "rate": "80"}],
         interval="quarterly", start_date=invoices.firm_today(s) + dt.timedelta(days=3)) and True, sees),
    ("recurring.set_paused (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: recurring_invoices.set_paused(s, _biller(f, w), f[k]["series"], True) and True, sees),
    ("recurring.delete_series (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: recurring_invoices.delete_series(s, _biller(f, w), f[k]["series"]) and True, sees),
    ("billing_views.send_preview (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: billing_views.send_preview(s, _biller(f, w), f[k]["invoice_draft"]) and True, sees),
    ("invoices.record_payment (no billing right for employees)", STAFF_ONLY,
     lambda s, f, w, k: invoices.record_payment(s, f["actor"][w], f[k]["invoice"], amount_cents=100,
                                                method="check") and True, _admins),
    ("invoices.record_payment (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: invoices.record_payment(s, _biller(f, w), f[k]["invoice"], amount_cents=100,
                                                method="check") and True, sees),
    ("document_locks.lock_document (no billing right for employees)", STAFF_ONLY,
     lambda s, f, w, k: document_locks.lock_document(s, f["actor"][w], f[k]["doc"], f[k]["invoice"]) and True,
     _admins),
    ("document_locks.lock_document (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: document_locks.lock_document(s, _biller(f, w), f[k]["doc"], f[k]["invoice"]) and True, sees),
    ("document_locks.unlock_document (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: document_locks.unlock_document(s, _biller(f, w), f[k]["doc"]) and True, sees),
    ("document_locks.lockable_invoices (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: f[k]["invoice"] in [i.id for i in document_locks.lockable_invoices(s, _biller(f, w),
                                                                                          f[k]["doc"])], sees),
    ("refunds.ask_provider (no billing right for employees)", STAFF_ONLY,
     lambda s, f, w, k: payment_refunds.ask_provider(s, f["actor"][w], _a_payment(s, f, k), amount_cents=50) is None,
     _admins),
    ("refunds.ask_provider (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: payment_refunds.ask_provider(s, _biller(f, w), _a_payment(s, f, k), amount_cents=50) is None,
     sees),
    ("refunds.record (no billing right for employees)", STAFF_ONLY,
     lambda s, f, w, k: payment_refunds.record(s, f["actor"][w], _a_payment(s, f, k), amount_cents=50) and True,
     _admins),
    ("refunds.record (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: payment_refunds.record(s, _biller(f, w), _a_payment(s, f, k), amount_cents=50) and True, sees),
    ("billing_refunds.invoice_refunds (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: billing_refunds.invoice_refunds(s, _biller(f, w), f[k]["invoice"]) is not None, sees),
    ("credits.give_account_credit (no billing right for employees)", STAFF_ONLY,
     lambda s, f, w, k: credits.give_account_credit(s, f["actor"][w], f[k]["account"], amount_cents=100,
                                                    reason="Goodwill") and True, _admins),
    ("credits.give_account_credit (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: credits.give_account_credit(s, _biller(f, w), f[k]["account"], amount_cents=100,
                                                    reason="Goodwill") and True, sees),
    ("credits.apply_credit (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: _a_credit(s, f, k) and credits.apply_credit(s, _biller(f, w), f[k]["invoice"],
                                                                    amount_cents=100) and True, sees),
    ("credits.credit_left (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: credits.credit_left(s, _biller(f, w), f[k]["account"]) is not None, sees),
    ("credits.account_credits (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: credits.account_credits(s, _biller(f, w), f[k]["account"]) is not None, sees),
    ("credits.withdraw_credit (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: credits.withdraw_credit(s, _biller(f, w), _a_credit(s, f, k)) is None, sees),
    ("billing_views.void_with_reason (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: billing_views.void_with_reason(s, _biller(f, w), f[k]["invoice"], "Billed twice") and True,
     sees),
    ("invoice_delivery.set_receives_invoices (no billing right for employees)", STAFF_ONLY,
     lambda s, f, w, k: invoice_delivery.set_receives_invoices(s, f["actor"][w], f[k]["account"], f[k]["fresh_contact"],
                                                               True), _admins),
    ("invoice_delivery.set_receives_invoices (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: invoice_delivery.set_receives_invoices(s, _biller(f, w), f[k]["account"], f[k]["fresh_contact"],
                                                               True), sees),
    ("invoice_delivery.invoice_receivers (billing rights)", STAFF_ONLY,
     lambda s, f, w, k: invoice_delivery.invoice_receivers(s, _biller(f, w), f[k]["account"]) is not None, sees),
    ("accounts.list_accounts (owing money, billing rights)", STAFF_ONLY,
     lambda s, f, w, k: f[k]["account"] in [r.id for r in accounts.list_accounts(s, _biller(f, w), owing=True)[0]],
     sees),
    ("accounts.get_account", STAFF_ONLY,
     lambda s, f, w, k: accounts.get_account(s, f["actor"][w], f[k]["account"]) and True, sees),
    ("accounts.update_account", STAFF_ONLY,
     lambda s, f, w, k: accounts.update_account(s, f["actor"][w], f[k]["account"], notes="changed") and True, sees),
    ("accounts.list_accounts", STAFF_ONLY,
     lambda s, f, w, k: f[k]["account"] in [r.id for r in accounts.list_accounts(s, f["actor"][w])[0]], sees),
    ("accounts.contacts_of", STAFF_ONLY,
     lambda s, f, w, k: accounts.contacts_of(s, f["actor"][w], f[k]["account"]) is not None, sees),
    ("accounts.contact_visible", STAFF_ONLY,
     lambda s, f, w, k: accounts.contact_visible(s, f["actor"][w], f[k]["contact"]) and True, sees),
    ("accounts.update_contact", STAFF_ONLY,
     lambda s, f, w, k: accounts.update_contact(s, f["actor"][w], f[k]["contact"], last_name="Changed") and True,
     sees),
    ("logins.update_contact", STAFF_ONLY,
     lambda s, f, w, k: logins.update_contact(s, f["actor"][w], f[k]["contact"], last_name="Changed") and True,
     sees),
    ("accounts.list_contacts", STAFF_ONLY,
     lambda s, f, w, k: f[k]["contact"] in [c.id for c, _ in accounts.list_contacts(s, f["actor"][w])[0]], sees),
    ("jobs.get_job", STAFF_ONLY, lambda s, f, w, k: jobs.get_job(s, f["actor"][w], f[k]["job"]) and True, sees),
    ("jobs.update_job", STAFF_ONLY,
     lambda s, f, w, k: jobs.update_job(s, f["actor"][w], f[k]["job"], name="Renamed") and True, sees),
    ("jobs.jobs_of_account", STAFF_ONLY,
     lambda s, f, w, k: jobs.jobs_of_account(s, f["actor"][w], f[k]["account"]) is not None, sees),
    ("board.load_board", STAFF_ONLY,
     lambda s, f, w, k: f[k]["job"] in [c.id for col in board.load_board(s, f["actor"][w], f["pipeline"])
                                         for c in col.cards], sees),
    ("tasks.get_task", STAFF_ONLY, lambda s, f, w, k: tasks.get_task(s, f["actor"][w], f[k]["task"]) and True, sees),
    ("tasks.set_status", STAFF_ONLY,
     lambda s, f, w, k: tasks.set_status(s, f["actor"][w], f[k]["task"], "completed") and True, sees),
    ("tasks.add_comment", STAFF_ONLY,
     lambda s, f, w, k: tasks.add_comment(s, f["actor"][w], f[k]["task"], "hello") and True, sees),
    ("tasks.list_tasks", STAFF_ONLY,
     lambda s, f, w, k: f[k]["task"] in [t["id"] for t in tasks.list_tasks(s, f["actor"][w], mine=False,
                                                                             status="all")], sees),
    ("removal.account_removal", STAFF_ONLY,
     lambda s, f, w, k: removal.account_removal(s, f["actor"][w], f[k]["account"]) and True, _admins),
    ("removal.contact_removal", STAFF_ONLY,
     lambda s, f, w, k: removal.contact_removal(s, f["actor"][w], f[k]["contact"]) and True, _admins),
    ("removal.delete_job", STAFF_ONLY,
     lambda s, f, w, k: removal.delete_job(s, f["actor"][w], f[k]["job"]) and True, sees),
    ("removal.delete_task", STAFF_ONLY,
     lambda s, f, w, k: removal.delete_task(s, f["actor"][w], f[k]["task"]) and True, sees),
    ("document_folders.folder_tree", BOTH,
     lambda s, f, w, k: document_folders.folder_tree(s, _doc_actor(f, w), f[k]["account"]) is not None, sees),
    ("document_files.list_documents", BOTH,
     lambda s, f, w, k: f[k]["doc"] in [d.id for d in document_files.list_documents(s, _doc_actor(f, w), f[k]["account"])],
     sees),
    ("document_files.document_for_download", BOTH,
     lambda s, f, w, k: document_files.document_for_download(s, _doc_actor(f, w), f[k]["doc"]) and True, sees),
    ("document_files.upload", BOTH,
     lambda s, f, w, k: document_files.upload(_doc_actor(f, w), f[k]["account"], f[k]["folder"], "new.pdf", PDF)
     and True, sees),
    ("document_files.rename_document", BOTH,
     lambda s, f, w, k: document_files.rename_document(s, _doc_actor(f, w), f[k]["doc"], "renamed.pdf") and True,
     _staff_sees),  # a client renames only what it uploaded
    ("document_files.delete_document", BOTH,
     lambda s, f, w, k: document_files.delete_document(s, _doc_actor(f, w), f[k]["doc"]) is None,
     _staff_or_uploader_admin),
    # Shared or internal: staff see every document; a contact only what the firm shared (a draft they are asked
    # to approve opens through the approval, without being listed).
    ("document_files.list_documents (internal document)", BOTH,
     lambda s, f, w, k: f[k]["internal_doc"] in [d.id for d in document_files.list_documents(s, _doc_actor(f, w),
                                                                                           f[k]["account"])],
     _staff_sees),
    ("document_files.list_documents (internal folder)", BOTH,
     lambda s, f, w, k: f[k]["private_doc"] in [d.id for d in document_files.list_documents(s, _doc_actor(f, w),
                                                                                          f[k]["account"])],
     _staff_sees),
    ("document_files.list_documents (signing original)", BOTH,
     lambda s, f, w, k: f[k]["sign_doc"] in [d.id for d in document_files.list_documents(s, _doc_actor(f, w),
                                                                                       f[k]["account"])],
     _staff_sees),
    ("document_folders.folder_tree (internal folder)", BOTH,
     lambda s, f, w, k: f[k]["private_folder"] in [n.id for n in document_folders.folder_tree(s, _doc_actor(f, w),
                                                                                              f[k]["account"])],
     _staff_sees),
    ("document_files.document_for_download (internal document)", BOTH,
     lambda s, f, w, k: document_files.document_for_download(s, _doc_actor(f, w), f[k]["internal_doc"]) and True,
     _staff_sees),
    ("document_files.document_for_download (internal folder)", BOTH,
     lambda s, f, w, k: document_files.document_for_download(s, _doc_actor(f, w), f[k]["private_doc"]) and True,
     _staff_sees),
    ("document_files.document_for_download (signing original)", BOTH,
     lambda s, f, w, k: document_files.document_for_download(s, _doc_actor(f, w), f[k]["sign_doc"]) and True,
     _staff_sees),
    ("document_files.document_for_download (draft to approve)", BOTH,
     lambda s, f, w, k: document_files.document_for_download(s, _doc_actor(f, w), f[k]["draft_doc"]) and True, sees),
    ("document_files.list_documents (draft to approve)", BOTH,
     lambda s, f, w, k: f[k]["draft_doc"] in [d.id for d in document_files.list_documents(s, _doc_actor(f, w),
                                                                                        f[k]["account"])],
     _staff_sees),
    ("document_files.to_look_at", CONTACT_ONLY,
     lambda s, f, w, k: f[k]["doc"] in [d.id for d in document_files.to_look_at(s, f["actor"][w], f[k]["account"])],
     sees),
    ("document_files.to_look_at (internal)", CONTACT_ONLY,
     lambda s, f, w, k: bool({f[k]["internal_doc"], f[k]["private_doc"], f[k]["sign_doc"], f[k]["draft_doc"]}
                             & {d.id for d in document_files.to_look_at(s, f["actor"][w], f[k]["account"])}),
     lambda f, w, k: False),
    ("document_files.upload (internal folder)", BOTH,
     lambda s, f, w, k: document_files.upload(_doc_actor(f, w), f[k]["account"], f[k]["private_folder"], "new.pdf",
                                              PDF) and True, _staff_sees),
    ("document_files.rename_document (into an internal folder)", BOTH,
     lambda s, f, w, k: document_files.rename_document(s, _doc_actor(f, w), f[k]["doc"], f"{k} return.pdf",
                                                       folder_id=f[k]["private_folder"]) and True, _staff_sees),
    ("sharing.set_document_shared", BOTH,
     lambda s, f, w, k: sharing.set_document_shared(s, f["actor"][w], f[k]["internal_doc"], True) and True,
     _staff_sees),
    ("sharing.set_folder_shared", BOTH,
     lambda s, f, w, k: sharing.set_folder_shared(s, f["actor"][w], f[k]["folder"], False) and True, _staff_sees),
    ("document_files.trash", BOTH,
     lambda s, f, w, k: document_files.trash(s, f["actor"][w], f[k]["account"]) is not None, _staff_sees),
    ("document_files.restore_document", BOTH,
     lambda s, f, w, k: (document_files.delete_document(s, f["actor"][OWNER_], f[k]["doc"]) is None
                         and document_files.restore_document(s, _doc_actor(f, w), f[k]["doc"]) and True),
     _staff_or_uploader_admin),
    ("approvals.list_for_account", STAFF_ONLY,
     lambda s, f, w, k: approvals.list_for_account(s, f["actor"][w], f[k]["account"]) is not None, sees),
    ("approvals.list_for_contact", BOTH,
     lambda s, f, w, k: f[k]["approval"] in [a.id for a in approvals.list_for_contact(s, f["actor"][w],
                                                                                     f[k]["account"])],
     _contact_sees),
    ("approvals.decide", BOTH,
     lambda s, f, w, k: approvals.decide(s, f["actor"][w], f[k]["approval"], approve=True) and True, _contact_sees),
    ("approvals.request_approval", BOTH,
     lambda s, f, w, k: approvals.request_approval(s, f["actor"][w], document_ids=[f[k]["doc"]]) is not None,
     _staff_sees),
    ("approvals.withdraw", BOTH,
     lambda s, f, w, k: approvals.withdraw(s, f["actor"][w], f[k]["approval"]) is None, _staff_sees),
    ("requests.list_for_account", STAFF_ONLY,
     lambda s, f, w, k: f[k]["sigreq"] in [r.id for r in requests.list_for_account(s, f["actor"][w],
                                                                                   f[k]["account"])], sees),
    ("requests.list_for_job", BOTH,
     lambda s, f, w, k: requests.list_for_job(s, f["actor"][w], f[k]["job"]) is not None, _staff_sees),
    ("client_requests.list_for_account", BOTH,
     lambda s, f, w, k: request_sending.list_for_account(s, f["actor"][w], f[k]["account"]) is not None, _staff_sees),
    ("sending.list_for_job", BOTH,
     lambda s, f, w, k: sending.list_for_job(s, f["actor"][w], f[k]["job"]) is not None, _staff_sees),
    ("signer_flow.list_for_contact", CONTACT_ONLY,
     lambda s, f, w, k: f[k]["sigreq"] in [r.id for r in signer_flow.list_for_contact(s, f["actor"][w])], sees),
    ("requests.request_detail", BOTH,
     lambda s, f, w, k: requests.request_detail(s, f["actor"][w], f[k]["sigreq"]) and True, sees),
    ("pages.page_png", BOTH,
     lambda s, f, w, k: pages.page_png(s, f["actor"][w], f[k]["sigreq"], 0)[:4] == b"\x89PNG", sees),
    ("signer_flow.open_for_signing", BOTH,
     lambda s, f, w, k: signer_flow.open_for_signing(s, f["actor"][w], f[k]["sigreq"]) and True, _contact_sees),
    ("signer_flow.give_consent", BOTH,
     lambda s, f, w, k: signer_flow.give_consent(s, f["actor"][w], f[k]["sigreq"]) is None, _contact_sees),
    ("signer_flow.sign", BOTH,
     lambda s, f, w, k: (signer_flow.give_consent(s, f["actor"][w], f[k]["sigreq"]) is None
                         and signer_flow.sign(s, f["actor"][w], f[k]["sigreq"], signature_kind="typed",
                                             signature={"text": "Me"}) and True), _contact_sees),
    ("signer_flow.decline", BOTH,
     lambda s, f, w, k: signer_flow.decline(s, f["actor"][w], f[k]["sigreq"], reason="No") is None, _contact_sees),
    ("requests.create_request", BOTH,
     lambda s, f, w, k: requests.create_request(s, f["actor"][w], f[k]["account"], title="T",
                                                  signer_contact_ids=[f[k]["contact"]], document_id=f[k]["doc"])
     and True, _staff_sees),
    ("requests.set_fields", BOTH,
     lambda s, f, w, k: requests.set_fields(s, f["actor"][w], f[k]["sigdraft"], []) is not None, _staff_sees),
    ("requests.send", BOTH,
     lambda s, f, w, k: requests.send(s, f["actor"][w], f[k]["sigdraft"]) and True, _staff_sees),
    ("requests.cancel", BOTH,
     lambda s, f, w, k: requests.cancel(s, f["actor"][w], f[k]["sigreq"]) is None, _staff_sees),
    ("jobs.create_job", STAFF_ONLY,
     lambda s, f, w, k: jobs.create_job(s, f["actor"][w], account_id=f[k]["account"], pipeline_id=f["pipeline"],
                                        name="New job") and True, sees),
    ("jobs.move_jobs", STAFF_ONLY,
     lambda s, f, w, k: jobs.move_jobs(s, f["actor"][w], [f[k]["job"]], f["last_stage"]) == 1, sees),
    ("jobs.assign_job", STAFF_ONLY,
     lambda s, f, w, k: jobs.assign_job(s, f["actor"][w], f[k]["job"], [f["actor"][w].member_id]) and True, sees),
    ("jobs.archive_job", STAFF_ONLY,
     lambda s, f, w, k: jobs.archive_job(s, f["actor"][w], f[k]["job"]) and True, sees),
    ("jobs.job_choices", STAFF_ONLY,
     lambda s, f, w, k: f[k]["job"] in [i for i, *_ in jobs.job_choices(s, f["actor"][w])], sees),
    ("tasks.create_task (account)", STAFF_ONLY,
     lambda s, f, w, k: tasks.create_task(s, f["actor"][w], title="T", account_id=f[k]["account"]) and True, sees),
    ("tasks.create_task (job)", STAFF_ONLY,
     lambda s, f, w, k: tasks.create_task(s, f["actor"][w], title="T", job_id=f[k]["job"]) and True, sees),
    ("tasks.create_task (subtask)", STAFF_ONLY,
     lambda s, f, w, k: tasks.create_task(s, f["actor"][w], title="T", parent_id=f[k]["task"]) and True, sees),
    ("accounts.portal_link_warning", STAFF_ONLY,
     lambda s, f, w, k: accounts.portal_link_warning(s, f["actor"][w], f[k]["account"], f[k]["contact"]) is not None,
     sees),
    ("accounts.link_contact", STAFF_ONLY,
     lambda s, f, w, k: accounts.link_contact(s, f["actor"][w], f[k]["account"], f[k]["contact"], False) is None,
     sees),
    ("document_folders.create_folder", BOTH,
     lambda s, f, w, k: document_folders.create_folder(s, f["actor"][w], f[k]["account"], "New folder") and True,
     _staff_sees),
    ("audit_history.list_entries (account)", STAFF_ONLY,
     lambda s, f, w, k: audit_history.list_entries(s, f["actor"][w], entity="account", entity_id=f[k]["account"])
     is not None, sees),
    ("audit_history.list_entries (job)", STAFF_ONLY,
     lambda s, f, w, k: audit_history.list_entries(s, f["actor"][w], entity="job", entity_id=f[k]["job"]) is not None, sees),
    ("mail_templates.preview_template", STAFF_ONLY,
     lambda s, f, w, k: mail_templates.preview_template(s, f["actor"][w], subject="Hi {{ account.name }}", body="x",
                                              account_id=f[k]["account"], job_id=f[k]["job"]) and True, sees),
    ("logins.invite", STAFF_ONLY,
     lambda s, f, w, k: logins.invite(s, f["actor"][w], f[k]["fresh_contact"]) and True, sees),
    ("logins.revoke", STAFF_ONLY, lambda s, f, w, k: logins.revoke(s, f["actor"][w], f[k]["contact"]) is None, sees),
    ("client_tasks.client_tasks_of_job", STAFF_ONLY,
     lambda s, f, w, k: client_tasks.client_tasks_of_job(s, f["actor"][w], f[k]["job"]) is not None, sees),
    ("client_tasks.create_client_task", STAFF_ONLY,
     lambda s, f, w, k: client_tasks.create_client_task(s, f["actor"][w], f[k]["job"], title="Sign") and True, sees),
    ("client_tasks.client_tasks_for_contact", CONTACT_ONLY,
     lambda s, f, w, k: f[k]["ctask"] in [t.id for t in client_tasks.client_tasks_for_contact(
         s, f["actor"][w], account_id=f[k]["account"])], sees),
    # The portal's Invoices page: the account the contact looks at (a forged one among its own refused too).
    ("invoice_delivery.portal_invoices", CONTACT_ONLY,
     lambda s, f, w, k: invoice_delivery.portal_invoices(s, dataclasses.replace(
         f["actor"][w], current_account_id=f[k]["account"])) is not None, sees),
    ("invoice_delivery.portal_invoices (forged account list)", CONTACT_ONLY,
     lambda s, f, w, k: invoice_delivery.portal_invoices(s, dataclasses.replace(
         f["actor"][w], account_ids=(f["A"]["account"], f["B"]["account"]),
         current_account_id=f[k]["account"])) is not None, sees),
    # Paying by card: only an invoice of the account the contact looks at; the firm's keys: owner and admins.
    ("card_payments.payable_invoice", BOTH,
     lambda s, f, w, k: card_payments.payable_invoice(s, dataclasses.replace(
         f["actor"][w], current_account_id=f[k]["account"]) if isinstance(f["actor"][w], ContactActor)
         else f["actor"][w], f[k]["invoice"]) and True, _contact_sees),
    ("payment_settings.settings_for_display", BOTH,
     lambda s, f, w, k: payment_settings.settings_for_display(s, f["actor"][w], "/x") and True, _admins),
    ("payment_settings.entered_keys", BOTH,
     lambda s, f, w, k: payment_settings.entered_keys(s, f["actor"][w], secret_key="sk_test_a",
                                                       publishable_key="pk_test_a", webhook_secret="whsec_a") and True,
     _admins),
    ("client_tasks.jobs_for_contact", CONTACT_ONLY,
     lambda s, f, w, k: f[k]["job"] in [j.id for j in client_tasks.jobs_for_contact(s, f["actor"][w], f[k]["account"])],
     sees),
    ("client_tasks.complete_client_task", BOTH,
     lambda s, f, w, k: client_tasks.complete_client_task(s, f["actor"][w], f[k]["ctask"]) and True, _contact_sees),
    ("client_tasks.reopen_client_task", BOTH,
     lambda s, f, w, k: client_tasks.reopen_client_task(s, f["actor"][w], f[k]["ctask"]) and True, sees),
    ("logins.accounts_of_contact", CONTACT_ONLY,
     lambda s, f, w, k: f[k]["account"] in [i for i, _ in logins.accounts_of_contact(s, f["actor"][w])], sees),
    ("custom_fields.values_for (job)", BOTH,
     lambda s, f, w, k: cf.values_for(s, f["actor"][w], "job", f[k]["job"]) is not None, _staff_sees),
    ("custom_fields.values_for (account)", BOTH,
     lambda s, f, w, k: cf.values_for(s, f["actor"][w], "account", f[k]["account"]) is not None, _staff_sees),
    ("custom_fields.values_for (contact)", BOTH,
     lambda s, f, w, k: cf.values_for(s, f["actor"][w], "contact", f[k]["contact"]) is not None, _staff_sees),
    ("custom_fields.set_value (job)", BOTH,
     lambda s, f, w, k: cf.set_value(s, f["actor"][w], "job", f[k]["job"], _a_field(s, f, "job"), "MFJ") and True,
     _staff_sees),
    ("custom_fields.set_values (account)", BOTH,
     lambda s, f, w, k: cf.set_values(s, f["actor"][w], "account", f[k]["account"],
                                      {_a_field(s, f, "account"): "12-3456789"}) is not None, _staff_sees),
    ("custom_fields.set_value (contact)", BOTH,
     lambda s, f, w, k: cf.set_value(s, f["actor"][w], "contact", f[k]["contact"], _a_field(s, f, "contact"),
                                     "Amy") and True, _staff_sees),
    ("custom_fields.define_field", BOTH,
     lambda s, f, w, k: cf.define_field(s, f["actor"][w], entity="job", label=f"Field {k}") and True, _admins),
    ("chat_threads.list_threads", BOTH,
     lambda s, f, w, k: f[k]["thread"] in [t.id for t in chat_threads.list_threads(s, f["actor"][w])], sees),
    ("chat_threads.start_thread", BOTH,
     lambda s, f, w, k: chat_threads.start_thread(s, f["actor"][w], account_id=f[k]["account"], subject="Hi")
     and True, sees),
    ("chat_threads.mark_read", BOTH,
     lambda s, f, w, k: chat_threads.mark_read(s, f["actor"][w], f[k]["thread"]) is not None, sees),
    ("chat_threads.set_archived", BOTH,
     lambda s, f, w, k: chat_threads.set_archived(s, f["actor"][w], f[k]["thread"]) and True, _staff_sees),
    ("chat_attachments.check_can_attach (files for a message)", BOTH,
     lambda s, f, w, k: chat_attachments.check_can_attach(s, f["actor"][w], f[k]["thread"]) and True, sees),
    ("chat_messages.messages_of", BOTH,
     lambda s, f, w, k: bool(chat_messages.messages_of(s, f["actor"][w], f[k]["thread"])), sees),
    ("chat_messages.messages_of (internal notes)", BOTH,
     lambda s, f, w, k: f[k]["note"] in [m.id for m in chat_messages.messages_of(s, f["actor"][w], f[k]["thread"])],
     _staff_sees),
    ("chat_messages.write_as_staff", BOTH,
     lambda s, f, w, k: chat_messages.write_as_staff(s, f["actor"][w], f[k]["thread"], "Hello") and True, _staff_sees),
    ("chat_messages.write_as_client", BOTH,
     lambda s, f, w, k: chat_messages.write_as_client(s, f["actor"][w], f[k]["thread"], "Hello") and True,
     _contact_sees),
    ("chat_messages.edit_message (staff's own)", BOTH,
     lambda s, f, w, k: chat_messages.edit_message(s, f["actor"][w], f[k]["message"], "Changed") and True, _owner_only),
    ("client_tasks.complete_client_task (asked in a chat)", BOTH,
     lambda s, f, w, k: client_tasks.complete_client_task(s, f["actor"][w], f[k]["chat_task"]) and True,
     _contact_sees),
    ("logins.switch_account", CONTACT_ONLY,
     lambda s, f, w, k: logins.switch_account(s, f["sid"][w], f[k]["account"]) and True, sees),
]


def test_no_visitor_reaches_another_accounts_objects(firm, monkeypatch):
    # Who may reach what is checked here, not how fast a template is filled in: a busy machine took the first
    # previews' children past the 3 s limit (tests/services/test_templating.py checks the limit itself).
    monkeypatch.setattr(templating, "CHILD_SECONDS", 60.0)
    f = firm
    wrong, cross_account_successes, checked = [], [], 0
    for name, askers, call, expected in SERVICE_CASES:
        for who in sorted(askers):
            for key in ("A", "B"):
                with read_session() as s:  # never committed: a write in it is rolled back
                    try:
                        got = bool(call(s, f, who, key))
                    except (PermissionDenied, NotFound):
                        got = False
                    except PracticeError as err:  # the case itself is wrong, not the access rule
                        wrong.append(f"{name}: {who} on {key}'s object raised {type(err).__name__}: {err}")
                        continue
                    s.rollback()
                checked += 1
                if got and not sees(f, who, key):
                    cross_account_successes.append(f"{name}: {who} reached {key}'s object")
                if got != expected(f, who, key):
                    wrong.append(f"{name}: {who} on {key}'s object: expected "
                                 f"{'allowed' if expected(f, who, key) else 'denied'}, got {'allowed' if got else 'denied'}")
    assert checked >= 150
    assert not cross_account_successes, "\n".join(cross_account_successes)
    assert not wrong, "\n".join(wrong)


# --- 4. the document download: GET /files/{id} over HTTP, with each visitor's cookie ---------------------------

def test_the_download_route_serves_each_document_only_to_those_who_see_its_account(firm):
    f = firm
    route = _backend_routes()[routes.FILE_DOWNLOAD]
    app = Starlette(routes=[Route(route.path, route.endpoint, methods=["GET"])])
    cookies = {ANON: {}, **{w: {"portal_sid": f["sid"][w]} for w in CONTACTS},
               **{w: {"practice_sid": f["sid"][w]} for w in STAFF_ACTORS}}
    wrong, cross_account = [], []
    for who, jar in cookies.items():
        with TestClient(app, cookies=jar) as client:
            for key in ("A", "B"):
                answer = client.get(routes.file_url(f[key]["doc"]))
                want = 401 if who == ANON else 200 if sees(f, who, key) else 403
                if answer.status_code == 200 and not sees(f, who, key):
                    cross_account.append(f"{who} downloaded {key}'s document")
                if answer.status_code != want:
                    wrong.append(f"{who} on {key}'s document: {answer.status_code}, expected {want}")
                if answer.status_code == 200:
                    assert answer.content[:5] == b"%PDF-"
                # Internal documents: staff who see the account, never a client (even of that account).
                for internal in ("internal_doc", "private_doc", "sign_doc"):
                    answer = client.get(routes.file_url(f[key][internal]))
                    want = 401 if who == ANON else 200 if who in STAFF_ACTORS and sees(f, who, key) else 403
                    if answer.status_code != want:
                        wrong.append(f"{who} on {key}'s {internal}: {answer.status_code}, expected {want}")
                # A draft the client is asked to approve opens for that account's contacts.
                answer = client.get(routes.file_url(f[key]["draft_doc"]))
                want = 401 if who == ANON else 200 if sees(f, who, key) else 403
                if answer.status_code != want:
                    wrong.append(f"{who} on {key}'s draft to approve: {answer.status_code}, expected {want}")
    assert not cross_account and not wrong, "\n".join(cross_account + wrong)


def test_the_sign_page_images_show_only_to_staff_of_the_account_and_its_signers(firm):
    f = firm
    route = _backend_routes()[routes.SIGN_PAGE_IMAGE]
    app = Starlette(routes=[Route(route.path, route.endpoint, methods=["GET"])])
    cookies = {ANON: {}, **{w: {"portal_sid": f["sid"][w]} for w in CONTACTS},
               **{w: {"practice_sid": f["sid"][w]} for w in STAFF_ACTORS}}
    wrong = []
    for who, jar in cookies.items():
        with TestClient(app, cookies=jar) as client:
            for key in ("A", "B"):
                answer = client.get(routes.sign_page_url(f[key]["sigreq"], 0))
                # A contact is told another client's request does not exist; a member is told it is not theirs.
                want = 401 if who == ANON else 200 if sees(f, who, key) else 403 if who in STAFF_ACTORS else 404
                if answer.status_code != want:
                    wrong.append(f"{who} on {key}'s page image: {answer.status_code}, expected {want}")
                if answer.status_code == 200:
                    assert answer.content[:8] == b"\x89PNG\r\n\x1a\n" and answer.headers["content-type"] == "image/png"
            assert client.get(routes.sign_page_url(f["A"]["sigreq"], 7)).status_code in (401, 404)
    assert not wrong, "\n".join(wrong)


# --- 5. the drive: WebDAV paths with each visitor's login ----------------------------------------------------

def _basic(email: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()}


def test_the_drive_shows_and_takes_files_only_for_the_visitors_accounts(firm):
    from practice.drive_app import make_app

    f = firm
    labels = {k: drive.account_label(f[k]["account"], n) for k, n in (("A", "Acme Tax"), ("B", "Bolt Books"))}
    passwords = {**{w: CLIENT_PASS for w in CONTACTS}, **{w: PASSWORD for w in STAFF_ACTORS}}
    client = httpx.Client(transport=httpx.WSGITransport(app=make_app()), base_url="http://drive.test")
    wrong, cross_account = [], []

    def check(who, what, answer, allowed, key=None):
        ok = answer.status_code < 300
        if ok and key is not None and not sees(f, who, key):
            cross_account.append(f"{who}: {what} -> {answer.status_code}")
        if ok != allowed:
            wrong.append(f"{who}: {what} -> {answer.status_code}, expected {'allowed' if allowed else 'denied'}")

    assert client.request("PROPFIND", "/", headers={"Depth": "1"}).status_code == 401
    for key in ("A", "B"):
        assert client.get(f"/{quote(labels[key])}/Tax%20returns/{key}%20return.pdf").status_code == 401
    for who in (*CONTACTS, *STAFF_ACTORS):
        auth_header = _basic(f["email"][who], passwords[who])
        root = client.request("PROPFIND", "/", headers={"Depth": "1", **auth_header})
        assert root.status_code == 207, (who, root.status_code, root.text[:300])
        for key in ("A", "B"):
            listed = quote(labels[key]) in root.text or labels[key] in root.text
            check(who, f"root lists {key}", httpx.Response(200 if listed else 404), sees(f, who, key), key)
            top = f"/{quote(labels[key])}/"
            check(who, f"PROPFIND {key}", client.request("PROPFIND", top, headers={"Depth": "1", **auth_header}),
                  sees(f, who, key), key)
            check(who, f"GET {key}'s document",
                  client.get(f"{top}Tax%20returns/{key}%20return.pdf", headers=auth_header), sees(f, who, key), key)
            # Internal documents and folders: staff only, never a client's login (even of that account).
            check(who, f"GET {key}'s internal document",
                  client.get(f"{top}Tax%20returns/{key}%20notes.pdf", headers=auth_header),
                  who in STAFF_ACTORS and sees(f, who, key), key)
            check(who, f"PROPFIND {key}'s internal folder",
                  client.request("PROPFIND", f"{top}Working%20papers/", headers={"Depth": "1", **auth_header}),
                  who in STAFF_ACTORS and sees(f, who, key), key)
            check(who, f"GET {key}'s document in the internal folder",
                  client.get(f"{top}Working%20papers/{key}%20review.pdf", headers=auth_header),
                  who in STAFF_ACTORS and sees(f, who, key), key)
            check(who, f"PUT into {key}",
                  client.put(f"{top}from%20{who}.pdf", content=PDF, headers=auth_header), sees(f, who, key), key)
            # A guessed id with another account's name must not open it either.
            other = "B" if key == "A" else "A"
            forged = quote(drive.account_label(f[key]["account"], "Bolt Books" if key == "A" else "Acme Tax"))
            check(who, f"PROPFIND {key} under {other}'s name",
                  client.request("PROPFIND", f"/{forged}/", headers={"Depth": "0", **auth_header}), False, key)
    assert not cross_account and not wrong, "\n".join(cross_account + wrong)


# Found by this matrix: /files/{id} used to serve a member whose firm requires two-factor sign-in
# before they had set it up (every staff handler and the drive already refused them).
def test_a_member_who_must_first_set_up_two_factor_cannot_download(firm):
    from practice.services.access import two_factor

    f = firm
    with write_session() as s:
        two_factor.set_required(s, f["actor"][OWNER_], True)
    route = _backend_routes()[routes.FILE_DOWNLOAD]
    app = Starlette(routes=[Route(route.path, route.endpoint, methods=["GET"])])
    with TestClient(app, cookies={"practice_sid": f["sid"][EMPLOYEE]}) as client:
        assert client.get(routes.file_url(f["A"]["doc"])).status_code in (401, 403)
