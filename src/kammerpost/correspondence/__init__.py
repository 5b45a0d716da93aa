"""How the chamber answers a sender: the message thread of an item and one way per reply.

A domain app: the back office, the portal and the mail gateway call it; it
imports none of them (docs/decisions/0004-correspondence-domain.md).
"""
