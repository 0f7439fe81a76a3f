"""Briefing: news feeds to Discord digests."""
