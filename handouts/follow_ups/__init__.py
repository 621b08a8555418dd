"""Follow-ups: messages on the patient's own dates after an emailed handout.

``plan`` says which messages a handout gives and when each may go out,
``outbox`` keeps them (scheduled, claimed, sent, cancelled) in SQLite,
``sender`` sends the due ones at most once, and ``schedule`` ties an emailed
handout to its follow-ups.
"""
