"""``python -m bot``: the command line and composition root.

Kept free of imports at module level: worker processes (spawned) import the main module
again, and should not pay for the whole command line, HTTP client and database stack.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Run the command line with the process arguments and exit with its status."""
    from bot.cli import main as cli_main  # noqa: PLC0415 (see the module docstring)

    sys.exit(cli_main(sys.argv[1:]))


if __name__ == "__main__":
    main()
