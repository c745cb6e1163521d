"""The e-mail channel: messages out through SMTP, answers back through signed links to small pages.

It imports only ``bot`` and its libraries; ``mentorbot.email_channel`` puts it together with the server
and the outbox (``mentorbot/channels.py``).
"""
