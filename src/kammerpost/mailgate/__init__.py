"""The mail gateway: e-mail intake under the chamber's rules (policy.md section 2).

``kammerpost mailgate`` runs an SMTP server (aiosmtpd) that answers every
rule during the sender's own session. The rules themselves are plain
Python without SMTP or Django: ``prescan`` (cheap, on the raw bytes),
``examine`` (the full parse, in a worker process under limits), ``answers``
(the SMTP replies). ``services`` stores accepted mail through the intake.
"""
