"""The pure domain: values, aggregates and the timeline fold. No I/O here."""
