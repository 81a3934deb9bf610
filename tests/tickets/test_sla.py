"""The SLA clock as the ticket verbs drive it: due on opening, paused while waiting, fresh for the next reply."""
from datetime import UTC, datetime, timedelta

from portal.models import TicketStatus, Visibility
from portal.tickets import lifecycle as tickets


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_marketplace_ticket_is_due_24_calendar_hours_later(open_ticket, marketplace, clock):
    clock.set(utc(2026, 11, 13, 20, 0))  # Friday 17:00 in São Paulo
    ticket = open_ticket(channel=marketplace)
    assert ticket.open_since == clock.now
    assert ticket.due_at == utc(2026, 11, 14, 20, 0)  # Saturday: calendar hours do not skip weekends


def test_store_ticket_is_due_48_working_hours_later_across_a_weekend(open_ticket, clock):
    clock.set(utc(2026, 11, 13, 13, 0))  # Friday 10:00 local: 14 h Friday, 24 h Monday, 10 h Tuesday
    ticket = open_ticket()
    assert ticket.due_at == utc(2026, 11, 17, 13, 0)


def test_store_ticket_skips_a_national_holiday(open_ticket, clock):
    clock.set(utc(2026, 11, 18, 13, 0))  # Wednesday 10:00; Friday 20 November is a holiday
    ticket = open_ticket()
    assert ticket.due_at == utc(2026, 11, 23, 13, 0)


def test_opened_on_saturday_counts_from_monday(open_ticket, clock):
    clock.set(utc(2026, 11, 14, 15, 0))
    ticket = open_ticket()
    assert ticket.due_at == utc(2026, 11, 18, 3, 0)  # Monday 00:00 local + 48 h = Wednesday 00:00 local


def test_a_customer_message_after_a_staff_answer_gets_a_fresh_sla(open_ticket, marketplace, agent, shopper,
                                                                   clock):
    clock.set(utc(2026, 11, 16, 12, 0))
    ticket = open_ticket(channel=marketplace)  # due Tuesday 12:00 UTC
    clock.advance(hours=10)
    tickets.reply_as_staff(ticket, agent, "Já verificamos", Visibility.customer, expected_version=ticket.version)
    assert ticket.status is TicketStatus.waiting
    assert ticket.due_at is None
    assert ticket.sla_remaining_seconds == 14 * 3600
    clock.advance(days=3)
    tickets.reply_as_customer(ticket, shopper, "Ainda não chegou")
    assert ticket.status is TicketStatus.open
    assert ticket.open_since == clock.now
    assert ticket.due_at == clock.now + timedelta(hours=24)  # "next reply": not the 14 h left at the pause
    assert ticket.sla_remaining_seconds is None


def test_next_reply_counts_48_working_hours_from_the_new_message(open_ticket, agent, shopper, clock):
    clock.set(utc(2026, 11, 9, 3, 0))  # Monday 00:00 local: 48 working hours, due Wednesday 00:00 local
    ticket = open_ticket()
    assert ticket.due_at == utc(2026, 11, 11, 3, 0)
    clock.set(utc(2026, 11, 10, 19, 0))  # Tuesday 16:00 local: answered after 40 working hours, 8 left
    tickets.reply_as_staff(ticket, agent, "Resposta", Visibility.customer, expected_version=ticket.version)
    assert ticket.sla_remaining_seconds == 8 * 3600
    clock.set(utc(2026, 11, 10, 20, 0))  # the shopper writes again an hour later
    tickets.reply_as_customer(ticket, shopper, "Mais uma dúvida")
    assert ticket.due_at == utc(2026, 11, 12, 20, 0)  # 48 working hours from the new message, not 8


def test_next_reply_skips_the_weekend_from_a_saturday_message(open_ticket, agent, shopper, clock):
    clock.set(utc(2026, 11, 16, 13, 0))  # Monday 10:00 local
    ticket = open_ticket()
    clock.set(utc(2026, 11, 17, 13, 0))
    tickets.reply_as_staff(ticket, agent, "Resposta", Visibility.customer, expected_version=ticket.version)
    clock.set(utc(2026, 11, 21, 15, 0))  # Saturday: counting starts on Monday 00:00 local
    tickets.reply_as_customer(ticket, shopper, "Mais uma dúvida")
    assert ticket.due_at == utc(2026, 11, 25, 3, 0)  # Monday 00:00 local + 48 working hours


def test_a_pause_without_an_answer_resumes_with_the_working_time_left(open_ticket, agent, shopper, clock):
    clock.set(utc(2026, 11, 16, 13, 0))  # Monday 10:00 local, due Wednesday 10:00 local
    ticket = open_ticket()
    assert ticket.due_at == utc(2026, 11, 18, 13, 0)
    clock.set(utc(2026, 11, 17, 13, 0))  # one working day later: 24 working hours left
    tickets.escalate_ticket(ticket, agent, "payments", "", expected_version=ticket.version)
    assert ticket.sla_remaining_seconds == 24 * 3600
    clock.set(utc(2026, 11, 21, 15, 0))  # Saturday: resumes counting on Monday 00:00 local
    tickets.reply_as_customer(ticket, shopper, "Mais uma dúvida")
    assert ticket.due_at == utc(2026, 11, 24, 3, 0)


def test_an_internal_note_is_no_answer_for_the_next_reply_rule(open_ticket, marketplace, agent, shopper, clock):
    ticket = open_ticket(channel=marketplace)
    clock.advance(hours=4)
    tickets.reply_as_staff(ticket, agent, "Nota", Visibility.internal, expected_version=ticket.version)
    tickets.escalate_ticket(ticket, agent, "payments", "", expected_version=ticket.version)
    clock.advance(hours=1)
    tickets.reply_as_customer(ticket, shopper, "E agora?")
    assert ticket.due_at == clock.now + timedelta(hours=20)


def test_overdue_pause_gives_a_full_sla_on_resume(open_ticket, marketplace, agent, shopper, clock):
    clock.set(utc(2026, 11, 16, 12, 0))
    ticket = open_ticket(channel=marketplace)
    clock.advance(hours=30)  # six hours late
    tickets.reply_as_staff(ticket, agent, "Desculpe a demora", Visibility.customer, expected_version=ticket.version)
    assert ticket.sla_remaining_seconds == -6 * 3600
    clock.advance(hours=1)
    tickets.reply_as_customer(ticket, shopper, "Ok")
    assert ticket.due_at == clock.now + timedelta(hours=24)


def test_internal_note_does_not_touch_the_clock(open_ticket, agent, clock):
    ticket = open_ticket()
    due = ticket.due_at
    clock.advance(hours=2)
    tickets.reply_as_staff(ticket, agent, "Nota", Visibility.internal, expected_version=ticket.version)
    assert ticket.status is TicketStatus.open and ticket.due_at == due


def test_escalation_pauses_the_clock(open_ticket, marketplace, agent, clock):
    ticket = open_ticket(channel=marketplace)
    clock.advance(hours=4)
    tickets.escalate_ticket(ticket, agent, "payments", "", expected_version=ticket.version)
    assert ticket.due_at is None and ticket.sla_remaining_seconds == 20 * 3600
