import os

import pytest

from .factories import PASSWORD, TeamFactory, agent, manager

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make around it are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def team(db):
    return TeamFactory()


@pytest.fixture
def an_agent(team):
    return agent(team, first_name="Ana", last_name="García", email="ana@acme.example")


@pytest.fixture
def a_manager(team):
    return manager(team, first_name="Grace", last_name="Okafor", email="grace@acme.example")


@pytest.fixture
def password():
    return PASSWORD
