"""The `dispatch-notifications` flow: claims and sends the outbox on a schedule.

May import models/ and notifications/; never agencies/ or flows/cli/.
"""
