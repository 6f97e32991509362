"""Octopus's own REST routes, as its CI tools call them: a translation over the same engine calls as /api/v1."""
