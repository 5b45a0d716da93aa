"""The mail gateway: the SMTP adapter of e-mail intake (policy.md section 2).

``kammerpost mailgate`` runs an SMTP server (aiosmtpd, ``server.py``) that
answers every rule during the sender's own session. The rules and their
answers are the mail policy engine, ``kammerpost.mailpolicy`` (no SMTP, no
Django); this package keeps the session, the recipient lookup
(``selectors``), the mail archive record (``models.MailMessage``) and the
hand-over of accepted mail to the intake (``services``).
"""
