"""The command side: the services that change things (issuance, stock, logistics, ...)."""
