"""What many test folders share: fixtures (loaded through pytest_plugins), fakes' helpers, node tools."""
