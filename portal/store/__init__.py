"""The store's own configuration: settings, colours, the portal switch and its checklist, and the defaults."""
