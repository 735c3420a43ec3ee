"""``wa-doctor``: the command-line tools beside the pytest suite."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .config import LANGUAGES
from .explain import ExplainError, explain, format_remedy, parse
from .redaction import Redactor


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="wa-doctor", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    explainer = commands.add_parser(
        "explain",
        help="explain a Graph/WhatsApp error code or a logged error JSON",
        description="Prints the finding and remedy for an error code (131047, 190/467) or for "
        "error JSON from the CRM's logs (a Graph error body or a webhook errors[] object). "
        "Reads standard input when ERROR is '-' or missing.",
    )
    explainer.add_argument("error", nargs="?", default="-")
    explainer.add_argument("--lang", choices=LANGUAGES, default="es")
    args = parser.parse_args(argv)
    text = sys.stdin.read() if args.error == "-" else args.error
    try:
        found = parse(text)
    except ExplainError as exc:
        print(f"wa-doctor explain: {exc}", file=sys.stderr)
        return 2
    redact = Redactor()
    print("\n\n".join(format_remedy(explain(facts, args.lang), redact) for facts in found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
