"""Notifications: the transactional outbox, its dispatcher, channels and message templates.

Other areas call `notifications.outbox.queue_message` (inside their own transaction) and,
for urgent messages, `notifications.dispatcher.send_now` after committing.

May import models/ and itself only; never flows/ or agencies/.
"""
