"""Running Kammerpost: health and readiness, metrics, structured logs, scheduled jobs, backups.

It may use the domain apps (accounts, chamber, intake, correspondence,
privacy) and the engines, never the adapters (portal, backoffice, mailgate,
pages, exchange): those call into it with one-line hooks
(``kammerpost.operations.metrics``), never the other way round.
"""
