"""`python -m shop ...`: the admin command line (see shop/cli.py)."""

from shop.cli import app

app(prog_name="python -m shop")
