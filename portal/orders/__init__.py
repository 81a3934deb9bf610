"""Orders, statuses and status rules, the timeline, invoices, tracking and trusted tracking hosts."""
