"""Developer tools: the dev command, the demo shop's data, the fake Shopify, the storefront stand-in."""
