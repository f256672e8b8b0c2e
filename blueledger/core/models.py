from django.db import models


class ThrottleCounter(models.Model):
    """Counts events (failed logins, guesses, submissions) per key and fixed window, across processes."""

    key = models.CharField(max_length=128)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="unique_throttle_window")
        ]
        indexes = [models.Index(fields=["window_start"])]
