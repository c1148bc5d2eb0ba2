"""Shared fixtures of the rules-language tests: the contract's catalog, extended with the
names its examples use."""

import pytest

from rules.catalog import Catalog

CONTRACT_CATALOG = {
    "pipelines": {
        "1040 Return": ["Onboarding", "Waiting for info", "Preparation", "Review", "Filed", "Done"],
        "Payroll": ["To do", "In progress", "Done"],
    },
    "templates": {
        "email": ["Welcome", "Payment due"],
        "message": ["Portal hello"],
        "organizer": ["1040 Organizer"],
        "proposal": ["Engagement 2027"],
        "invoice": ["Monthly fee"],
        "client request": ["Broker documents"],
        "document": ["Engagement letter"],
        "folder": ["1040 folders"],
        "task": [],
    },
    "tags": ["VIP", "Returning", "New client", "Payroll", "Overdue"],
    "members": ["Ann Lee", "Bob Stone"],
}


@pytest.fixture
def catalog() -> Catalog:
    return Catalog.from_dict(CONTRACT_CATALOG)
