from django.db import models


class ThrottleCounter(models.Model):
    """Count events (failed logins, guesses, submissions) per key and time bucket, across processes.

    ``window_start`` is the start of the bucket (see blueledger.core.throttle).
    """

    key = models.CharField(max_length=128)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="unique_throttle_window")
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start:%Y-%m-%d %H:%M:%S}: {self.count}"
