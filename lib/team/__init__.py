"""What a team shares: saved views, their feeds and e-mail digests."""
