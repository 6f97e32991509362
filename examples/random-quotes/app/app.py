"""Random Quotes: the tiny web app of Seaway's demo (Python standard library only).

Its settings are in appsettings.json beside it; Seaway's structured configuration variables set them per
environment when it deploys the package (`App:Port`, `App:Environment`, `App:Release`, `App:Title`).
"""

import argparse
import html
import json
import random
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

QUOTES = [
    ("Premature optimization is the root of all evil.", "Donald Knuth"),
    ("Beware of bugs in the above code; I have only proved it correct, not tried it.", "Donald Knuth"),
    (
        "Program testing can be used to show the presence of bugs, but never to show their absence!",
        "Edsger W. Dijkstra",
    ),
    ("Simplicity is prerequisite for reliability.", "Edsger W. Dijkstra"),
    (
        "There are two ways of constructing a software design: one way is to make it so simple that there "
        "are obviously no deficiencies, and the other way is to make it so complicated that there are no "
        "obvious deficiencies.",
        "C. A. R. Hoare",
    ),
    (
        "Programs must be written for people to read, and only incidentally for machines to execute.",
        "Harold Abelson and Gerald Jay Sussman",
    ),
    ("Controlling complexity is the essence of computer programming.", "Brian Kernighan"),
    ("Adding manpower to a late software project makes it later.", "Fred Brooks"),
    ("Talk is cheap. Show me the code.", "Linus Torvalds"),
    (
        "Any fool can write code that a computer can understand. Good programmers write code that humans "
        "can understand.",
        "Martin Fowler",
    ),
    ("Optimism is an occupational hazard of programming; feedback is the treatment.", "Kent Beck"),
    ("The best way to predict the future is to invent it.", "Alan Kay"),
    (
        "Perfection is achieved, not when there is nothing more to add, but when there is nothing left to take away.",
        "Antoine de Saint-Exupéry",
    ),
    ("A ship in harbor is safe, but that is not what ships are built for.", "John A. Shedd"),
    ("Plans are worthless, but planning is everything.", "Dwight D. Eisenhower"),
]

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} ({environment})</title>
<style>body {{font-family: sans-serif; max-width: 42em; margin: 4em auto; color: #222}}
blockquote {{font-size: 1.6em; margin: 0}} footer {{margin-top: 3em; color: #666}}</style></head>
<body><h1>{title}</h1>
<blockquote>{quote}</blockquote><p>&mdash; {author}</p>
<footer>Running in {environment} &middot; release {release} &middot; package {package}</footer>
</body></html>
"""


class Handler(BaseHTTPRequestHandler):
    settings = argparse.Namespace()

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/health":
            self.reply(200, "text/plain", "ok")
        elif path == "/":
            quote, author = random.choice(QUOTES)
            s = self.settings
            values = {
                "title": s.title,
                "environment": s.environment,
                "release": s.release,
                "package": s.package,
                "quote": quote,
                "author": author,
            }
            self.reply(200, "text/html", PAGE.format(**{k: html.escape(v) for k, v in values.items()}))
        else:
            self.reply(404, "text/plain", "not found")

    def reply(self, status, content_type, text):
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type + "; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    parser = argparse.ArgumentParser(description="Serve a random quote.")
    parser.add_argument("--settings", default="appsettings.json")
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    app = json.loads(Path(args.settings).read_text(encoding="utf-8"))["App"]
    Handler.settings = argparse.Namespace(
        title=str(app["Title"]),
        environment=str(app["Environment"]),
        release=str(app["Release"]),
        package=str(app["PackageVersion"]),
    )
    server = ThreadingHTTPServer((args.host, int(app["Port"])), Handler)
    print(f"Random Quotes {app['Release']} ({app['Environment']}) on http://{args.host}:{app['Port']}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
