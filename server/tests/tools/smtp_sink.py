"""A real SMTP server for the alert tests: aiosmtpd on 127.0.0.1, AUTH PLAIN/LOGIN required with
the user and password given, each message written to OUT_DIR as N.eml with the envelope and the
signed-in user on the first lines. Prints "ready" when it listens; runs until killed.

usage: smtp_sink.py PORT OUT_DIR USER PASSWORD
"""
import pathlib
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

port, out_dir, user, password = int(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3], sys.argv[4]
out_dir.mkdir(parents=True, exist_ok=True)
count = 0
lock = threading.Lock()


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


class Handler:
    async def handle_DATA(self, server, session, envelope):
        global count
        with lock:
            count += 1
            n = count
        auth = getattr(session, "auth_data", None)
        login = auth.login.decode() if isinstance(auth, LoginPassword) else str(auth)
        head = f"X-Sink-Login: {login}\r\nX-Sink-Mail-From: {envelope.mail_from}\r\nX-Sink-Rcpt-To: {','.join(envelope.rcpt_tos)}\r\n"
        tmp = out_dir / f"{n}.tmp"
        tmp.write_bytes(head.encode() + envelope.content)
        tmp.rename(out_dir / f"{n}.eml")
        return "250 Message accepted for delivery"


controller = Controller(
    Handler(),
    hostname="127.0.0.1",
    port=port,
    authenticator=authenticator,
    auth_required=True,
    auth_require_tls=False,
)
controller.start()
print("ready", flush=True)
threading.Event().wait()
