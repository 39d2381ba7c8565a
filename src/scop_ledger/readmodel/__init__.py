"""The read model: view tables kept level with the notification log, and the readers that answer
point-in-time questions from the view, or from the events (the oracle). Reads never replay
aggregates on the view path."""
