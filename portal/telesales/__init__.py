"""Telesales: the catalogue, carts an operator builds for a customer or shares as a link, manual prices and
their approval, and the events that tell the store's back office about orders placed in the portal."""
