"""Customer Journey: a CQRS + event-sourced platform for a customer's digital journey."""

__version__ = "0.1.0"
