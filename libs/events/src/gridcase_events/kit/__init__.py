"""The service kit: what every gridcase service is built from."""
