"""The feed pipeline's stages: fetch (HTTP, SSRF guard), parse, extract."""
