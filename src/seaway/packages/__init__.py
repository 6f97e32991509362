"""Package files: archives, the edits a deployment makes inside them, and external feeds."""
