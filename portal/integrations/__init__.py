"""Marketplace integrations: the signed webhook contract shared by inbound and outbound deliveries."""
