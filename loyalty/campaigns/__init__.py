"""Messages to members (issue #19): phone numbers and SMS text, the providers that send SMS
and email, each shop's provider credentials, and the log of every message sent.

- :mod:`~loyalty.campaigns.phones`: a phone number as E.164 (Norwegian numbers as written).
- :mod:`~loyalty.campaigns.sms_text`: how many SMS segments a text takes (GSM-7 or UCS-2).
- :mod:`~loyalty.campaigns.providers`: Twilio, Sveve and SMTP behind one small interface.
- :mod:`~loyalty.campaigns.credentials`: a shop's messaging settings, secrets encrypted.
- :mod:`~loyalty.campaigns.send_log`: one row per message sent, its delivery status.
- :mod:`~loyalty.campaigns.opt_out`: a recipient's STOP withdraws their SMS consent.
"""
