"""The onboarding journey: the saga that carries a customer from application to active card."""
