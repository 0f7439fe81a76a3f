"""``python -m bot``: the command line and composition root."""

from __future__ import annotations

import sys

from bot.cli import main as cli_main


def main() -> None:
    """Run the command line with the process arguments and exit with its status."""
    sys.exit(cli_main(sys.argv[1:]))


if __name__ == "__main__":
    main()
