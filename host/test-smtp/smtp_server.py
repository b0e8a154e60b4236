"""A real SMTP server for the mail tests (aiosmtpd, Debian's python3-aiosmtpd).

Listens on 127.0.0.1 on a port of its own, prints `PORT <n>` once it accepts connections, and
serves until its standard input closes. Every message it accepts is written to the directory
given with --dir as NNNN.eml (the bytes received) and NNNN.json (the envelope and the message as
Python's email parser reads it: decoded headers and each part's decoded text).

  --refuse ADDRESS=ANSWER   answer ANSWER (e.g. "451 4.3.0 Try again later") to RCPT TO:ADDRESS
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import socket
import sys

from aiosmtpd.smtp import SMTP


class Handler:
    def __init__(self, directory, refusals):
        self.directory = directory
        self.refusals = refusals
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        answer = self.refusals.get(address.lower())
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.directory, "%04d" % self.count)
        raw = envelope.original_content or envelope.content
        with open(base + ".eml.tmp", "wb") as f:
            f.write(raw)
        with open(base + ".json.tmp", "w", encoding="utf-8") as f:
            json.dump(describe(envelope, raw), f, ensure_ascii=False, indent=1)
        os.rename(base + ".eml.tmp", base + ".eml")
        os.rename(base + ".json.tmp", base + ".json")
        return "250 Message accepted"


def describe(envelope, raw):
    message = email.message_from_bytes(raw, policy=email.policy.default)
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        parts.append({"contentType": part.get_content_type(), "content": part.get_content()})
    headers = {}
    for name in ["From", "To", "Reply-To", "Subject", "Message-ID", "Content-Language",
                 "Auto-Submitted", "Date"]:
        value = message.get(name)
        if value is not None:
            headers[name] = str(value)
    return {
        "mailFrom": envelope.mail_from,
        "rcptTos": envelope.rcpt_tos,
        "contentType": message.get_content_type(),
        "headers": headers,
        "parts": parts,
    }


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--refuse", action="append", default=[])
    args = parser.parse_args()
    refusals = {}
    for item in args.refuse:
        address, answer = item.split("=", 1)
        refusals[address.lower()] = answer
    handler = Handler(args.dir, refusals)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="smtp.test", ident="portico-test-smtp"), sock=sock)
    print("PORT %d" % sock.getsockname()[1], flush=True)
    # Serve until the test that started us drops our standard input.
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
