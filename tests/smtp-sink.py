#!/usr/bin/python3
# A local SMTP server for tests/test-notify-email.c, on Debian's python3-aiosmtpd
# (scripts/bootstrap installs it): listens on 127.0.0.1:PORT, and for each message it
# accepts writes DIR/NNNN.json (the envelope, and the message as Python's email parser
# reads it: an independent check of what stockbridge wrote) beside DIR/NNNN.eml (the raw
# bytes), each file whole (written, then renamed). A recipient that starts with "refuse"
# is answered 550 (a permanent refusal). Prints "listening PORT" once it accepts
# connections; stops on SIGTERM.
#   smtp-sink.py DIR PORT
import asyncio
import email
import email.policy
import json
import os
import signal
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse"):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        doc = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "headers": [[k, str(v)] for k, v in msg.items()],
            "subject": str(msg["subject"]),
            "to": str(msg["to"]),
            "from": str(msg["from"]),
            "date": str(msg["date"]),
            "message_id": str(msg["message-id"]),
            "body": msg.get_content(),
            "defects": [repr(d) for d in msg.defects],
        }
        base = os.path.join(self.directory, "%04d" % self.count)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(raw)
        os.rename(base + ".eml.tmp", base + ".eml")
        with open(base + ".json.tmp", "w") as f:
            json.dump(doc, f)
        os.rename(base + ".json.tmp", base + ".json")
        return "250 Message accepted"


async def main():
    directory, port = sys.argv[1], int(sys.argv[2])
    sink = Sink(directory)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(sink, decode_data=False, hostname="sink.test"), "127.0.0.1", port,
        reuse_address=True)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    print("listening %d" % server.sockets[0].getsockname()[1], flush=True)
    await stop.wait()
    server.close()
    await server.wait_closed()


asyncio.run(main())
