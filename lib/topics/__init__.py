"""Topics found automatically: a research vocabulary, fine topics under broad areas, their
labels and stable ids (see lib/topics/topics.py)."""
