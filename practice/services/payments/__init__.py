"""Online card payments: the provider interface (`provider`), its Stripe implementation (`stripe_provider`), the
firm's keys (`settings`) and what a client's payment does to an invoice (`online`). Card data never reaches this
server: the client's browser gives it to the provider, and the provider tells us by a signed webhook."""
