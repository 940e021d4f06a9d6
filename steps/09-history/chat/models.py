from django.db import models


class Message(models.Model):
    """One accepted chat message: the room's history lives in the database, not in Redis."""

    # Any text the URL allows (Cyrillic, spaces, long names): TextField sets no length limit.
    room = models.TextField(db_index=True)
    user = models.CharField(max_length=150)
    text = models.TextField()
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.user}: {self.text}"
