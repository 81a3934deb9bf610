"""Tickets: numbers, the queue, the SLA calendar, events, actions, reasons, text modules, attachments and mail."""
