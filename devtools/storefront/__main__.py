"""Serve the test storefront in front of a running app: ``python -m devtools.storefront``.

``--app`` is the app's URL (``flask --app app dev`` serves ``http://127.0.0.1:8000``), ``--shop``
the installed shop's domain (default: the dev command's demo shop), ``--customer`` the signed-in
customer id (omit for a guest).
The secret is the demo app's unless ``--secret`` is given. Useful for trying the widget by hand
and for measuring the storefront (Lighthouse) with and without the app embed (``--no-embed``).
"""

from __future__ import annotations

import argparse
import time

from devtools.dev import DEMO_SHOP
from devtools.storefront.server import Storefront
from loyalty.core.config import DEMO_API_SECRET


def main() -> None:
    """Parse the options, serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m devtools.storefront")
    parser.add_argument("--app", default="http://127.0.0.1:8000")
    parser.add_argument("--shop", default=DEMO_SHOP)
    parser.add_argument("--secret", default=DEMO_API_SECRET)
    parser.add_argument("--customer", type=int, default=None)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--no-embed", action="store_true")
    args = parser.parse_args()
    front = Storefront(
        app_url=args.app,
        shop=args.shop,
        secret=args.secret,
        customer_id=args.customer,
        embed_enabled=not args.no_embed,
    ).start(port=args.port)
    print(f"storefront on {front.url} (app {args.app}, shop {args.shop})")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        front.stop()


if __name__ == "__main__":
    main()
