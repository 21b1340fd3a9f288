"""The club beyond points for orders: birthdays, ways to earn (DESIGN.md, Layout)."""
