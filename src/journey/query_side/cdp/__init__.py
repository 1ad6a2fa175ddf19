"""Customer data platform: who this is across identifiers, their consents, what to offer them."""
