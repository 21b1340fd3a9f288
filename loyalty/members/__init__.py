"""Members: enrolment and tombstones, staff adjustments, search, and what the storefront shows them."""
