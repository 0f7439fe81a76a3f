"""Command line entry point (placeholder until the CLI lands)."""


def main() -> None:
    """Run the command line."""


if __name__ == "__main__":
    main()
