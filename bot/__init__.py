"""The bot's brain: platform-neutral domain model, programme configuration, workflows and messages.

Nothing in this package imports a chat platform, database or scheduler library (a test checks it).
"""
