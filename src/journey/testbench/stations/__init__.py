"""Station files shipped with the package."""
