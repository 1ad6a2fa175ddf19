"""Product issuance: applications, decisions, offers and agreements, accounts and cards."""
