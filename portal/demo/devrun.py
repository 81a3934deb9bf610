"""Run the portal on one machine for `make run`: demo data, the web server, the Huey consumer, the SMTP receiver.

Demo mode also starts the stand-in Correios API (trackers.correios_standin) unless real Correios
credentials are configured, so that the tracking dialog shows a history offline, and the stand-in marketplace
(portal.demo.marketplace_standin) that receives the demo channels' deliveries.
"""
import os
import signal
import subprocess
import sys
import time

STANDIN_PORT = 5055
MARKETPLACE_PORT = 5056
INBOUND_SMTP_PORT = 2525  # answers to ticket e-mails (flask inbound-smtp); INBOUND_SMTP_PORT overrides it


def _load_demo(env: dict) -> None:
    subprocess.run([sys.executable, "-m", "flask", "demo", "load", "--if-empty"], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def _print_logins(host: str, port: str, smtp_port: str = str(INBOUND_SMTP_PORT)) -> None:
    from .data import demo_logins

    print(f"\nPortal: http://{host}:{port}/  (Ctrl-C stops everything)", flush=True)
    print("Demo logins:")
    for email, password, role in demo_logins():
        print(f"  {role:9} {email} / {password}")
    from .telesales import shared_cart_path

    print(f"Shared cart link (sign in as maria@demo.test): http://{host}:{port}{shared_cart_path()}")
    print(f"Answers to ticket e-mails: SMTP 127.0.0.1:{smtp_port}")
    print(flush=True)


def main() -> int:
    env = dict(os.environ, FLASK_APP="wsgi")
    host, port = env.get("HOST", "127.0.0.1"), env.get("PORT", "5000")
    procs = []
    if not env.get("CORREIOS_BASE_URL"):
        env.update(CORREIOS_BASE_URL=f"http://127.0.0.1:{STANDIN_PORT}", CORREIOS_USER="demo",
                   CORREIOS_ACCESS_CODE="demo", CORREIOS_CONTRACT_CARD="0067599079")
        procs.append(subprocess.Popen([sys.executable, "-m", "trackers.correios_standin", "--host", "127.0.0.1",
                                       "--port", str(STANDIN_PORT)], env=env))
    procs.append(subprocess.Popen([sys.executable, "-m", "portal.demo.marketplace_standin", "--port",
                                   str(MARKETPLACE_PORT)], env=env))
    _load_demo(env)
    huey_consumer = os.path.join(os.path.dirname(sys.executable), "huey_consumer")
    procs.append(subprocess.Popen([huey_consumer, "portal.worker.huey", "-k", "thread", "-w", "2", "-q"], env=env))
    smtp_port = env.get("INBOUND_SMTP_PORT", str(INBOUND_SMTP_PORT))
    procs.append(subprocess.Popen([sys.executable, "-m", "flask", "inbound-smtp", "--port", smtp_port], env=env,
                                  stdout=subprocess.DEVNULL))
    procs.append(subprocess.Popen([sys.executable, "-m", "flask", "run", "--host", host, "--port", port], env=env))
    time.sleep(1.5)
    _print_logins(host, port, smtp_port)
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
