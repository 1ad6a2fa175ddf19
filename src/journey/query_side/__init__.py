"""The query side: read-only answers from outside systems (lists, registry, CRM, CDP, bureau)."""
