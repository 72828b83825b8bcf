"""Blueprints: thin views over the case store and the page builder."""
