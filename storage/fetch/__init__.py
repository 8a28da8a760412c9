"""Metadata for works named by reference (arXiv id, DOI, URL), fetched over HTTP."""
