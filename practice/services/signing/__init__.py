"""Signatures: requests, the signer flow, page images, stamping, the audit page, the seal, verifying, certificates, consent, settings."""
