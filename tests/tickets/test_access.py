"""Who may load which ticket, message and attachment."""
import pytest
from werkzeug.exceptions import NotFound

from portal import access
from portal.models import Role, Visibility
from portal.tickets import lifecycle as tickets

from .conftest import Upload


@pytest.fixture
def thread(open_ticket, marketplace, agent):
    """A marketplace ticket with one message of each visibility, each with a file."""
    ticket = open_ticket(channel=marketplace, uploads=[Upload()])
    for visibility in (Visibility.customer, Visibility.marketplace, Visibility.internal):
        tickets.reply_as_staff(ticket, agent, f"Para {visibility.value}", visibility, uploads=[Upload()],
                               expected_version=ticket.version)
    return ticket


def test_customer_sees_only_messages_addressed_to_them(thread, shopper, agent):
    assert [m.visibility for m in access.visible_messages(thread, shopper)] == [Visibility.customer] * 2
    assert len(access.visible_messages(thread, agent)) == 4


def test_owner_and_staff_load_the_ticket(thread, shopper, agent):
    assert access.get_ticket_or_404(thread.number, shopper) is thread
    assert access.get_ticket_or_404(thread.number, agent) is thread


def test_another_shopper_gets_404_like_a_missing_ticket(thread, factory):
    stranger = factory.user(Role.customer)
    for number in (thread.number, "12345678901", "../../etc"):
        with pytest.raises(NotFound):
            access.get_ticket_or_404(number, stranger)


def test_attachments_follow_the_message_visibility(thread, shopper, factory, agent):
    stranger = factory.user(Role.customer)
    by_visibility = {m.visibility: m.attachments[0] for m in reversed(thread.messages)}
    visible = by_visibility[Visibility.customer]
    assert access.get_attachment_or_404(visible.id, shopper) is visible
    with pytest.raises(NotFound):
        access.get_attachment_or_404(visible.id, stranger)
    for hidden in (Visibility.marketplace, Visibility.internal):
        with pytest.raises(NotFound):
            access.get_attachment_or_404(by_visibility[hidden].id, shopper)
        assert access.get_attachment_or_404(by_visibility[hidden].id, agent) is by_visibility[hidden]
    with pytest.raises(NotFound):
        access.get_attachment_or_404(999_999, agent)


def test_stored_files_are_named_at_random_outside_static(thread, attachments_dir):
    attachment = thread.messages[0].attachments[0]
    assert attachment.filename == "photo.png" and attachment.mime == "image/png"
    assert attachment.storage_key not in attachment.filename
    key = attachment.storage_key
    assert (attachments_dir / key[:2] / key[2:4] / key).is_file()


def test_files_of_a_rolled_back_message_are_deleted(db, open_ticket, agent, attachments_dir):
    ticket = open_ticket()
    db.session.commit()
    tickets.reply_as_staff(ticket, agent, "Com anexo", Visibility.internal, uploads=[Upload(), Upload()],
                           expected_version=ticket.version)
    assert len([p for p in attachments_dir.rglob("*") if p.is_file()]) == 2
    db.session.rollback()
    assert [p for p in attachments_dir.rglob("*") if p.is_file()] == []


def test_a_refused_file_stores_nothing(db, open_ticket, agent, attachments_dir):
    ticket = open_ticket()
    from portal.core.errors import ValidationError

    with pytest.raises(ValidationError):
        tickets.reply_as_staff(ticket, agent, "Com anexo", Visibility.internal,
                               uploads=[Upload(), Upload(b"<html>", "page.html")], expected_version=ticket.version)
    assert not attachments_dir.exists() or [p for p in attachments_dir.rglob("*") if p.is_file()] == []
