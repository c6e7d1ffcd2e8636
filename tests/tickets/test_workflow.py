"""The transition table: every allowed pair works for its roles; every other pair is refused."""

from __future__ import annotations

import itertools

import pytest

from tickets.enums import Action, Role, TicketStatus
from tickets.errors import Forbidden, IllegalTransition
from tickets.workflow import TRANSITIONS, allowed_actions, check

ALL_PAIRS = list(itertools.product(TicketStatus, Action))


@pytest.mark.parametrize(("status", "action"), sorted(TRANSITIONS, key=str))
def test_allowed_transition_for_its_roles_and_refused_for_the_others(
    status: TicketStatus, action: Action
) -> None:
    rule = TRANSITIONS[(status, action)]
    for role in Role:
        if role in rule.roles:
            assert check(status, action, role, number="N1") is rule.target
        else:
            with pytest.raises(Forbidden) as info:
                check(status, action, role, number="N1")
            assert "没有权限" in info.value.message


@pytest.mark.parametrize(("status", "action"), [p for p in ALL_PAIRS if p not in TRANSITIONS], ids=str)
def test_forbidden_transition_raises_typed_error_with_chinese_message(
    status: TicketStatus, action: Action
) -> None:
    for role in Role:
        with pytest.raises(IllegalTransition) as info:
            check(status, action, role, number="2026112300001")
        assert info.value.message.startswith("工单 2026112300001 当前状态为“")
        assert "不能进行" in info.value.message


def test_terminal_states_allow_nothing_but_recheck_and_archive_of_closed() -> None:
    for status in (TicketStatus.DIRECT_ANSWERED, TicketStatus.SENT_BACK, TicketStatus.RECALLED):
        assert all(allowed_actions(status, role) == [] for role in Role)
    # PUBLISH / UNPUBLISH: a closed 市长信箱 letter's reply on the public page and taken off it
    # again (tickets.mailbox; letters only).
    assert set(allowed_actions(TicketStatus.CLOSED, Role.OFFICE)) == {
        Action.RECHECK,
        Action.ARCHIVE,
        Action.PUBLISH,
        Action.UNPUBLISH,
    }


def test_only_the_office_decides_returns_and_extensions_and_closes() -> None:
    for action in (
        Action.APPROVE_RETURN,
        Action.REFUSE_RETURN,
        Action.APPROVE_EXTENSION,
        Action.REFUSE_EXTENSION,
    ):
        roles = {r for (s, a), rule in TRANSITIONS.items() if a is action for r in rule.roles}
        assert roles == {Role.OFFICE}
    close_roles = {r for (s, a), rule in TRANSITIONS.items() if a is Action.CLOSE for r in rule.roles}
    assert Role.HANDLER not in close_roles


def test_handler_menu_on_an_accepted_ticket() -> None:
    assert set(allowed_actions(TicketStatus.ACCEPTED, Role.HANDLER)) == {
        Action.REQUEST_RETURN,
        Action.FIRST_CONTACT,
        Action.SITE_VISIT,
        Action.REQUEST_EXTENSION,
        Action.REPLY,
        Action.WHISTLE,
        Action.REPORT_IN,
        Action.WHISTLE_MEETING,
    }
