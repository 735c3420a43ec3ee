"""The script the doctor replaces: the same Graph requests per credential, nothing else.

Reads the active rows of the guide's table, then for each credential asks debug_token, and with
the WABA it names: the phone number, the WABA, its phone list, its subscribed apps and the
template (six requests, as the doctor's healthy run). ``--threads N`` checks N credentials at
once. Part of ``benchmarks/latency.py``; configured by the same variables as the doctor.
"""

import os
import sys
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg

BASE = os.environ["WHATSAPP_GRAPH_URL"] + "/v25.0/"
SQL = (
    "SELECT phone_number_id, access_token FROM crm.marketing_channel_credential"
    " WHERE canal_tipo = 'whatsapp' AND activo ORDER BY id"
)


def check(client: httpx.Client, phone: str, token: str) -> bool:
    auth = {"Authorization": f"Bearer {token}"}
    info = client.get(BASE + "debug_token", params={"input_token": token}, headers=auth).json()
    scopes = info["data"].get("granular_scopes", [])
    waba = next(s["target_ids"][0] for s in scopes if s.get("target_ids"))
    answers = [
        client.get(BASE + phone, params={"fields": "status,quality_rating"}, headers=auth),
        client.get(BASE + waba, params={"fields": "name"}, headers=auth),
        client.get(BASE + waba + "/phone_numbers", headers=auth),
        client.get(BASE + waba + "/subscribed_apps", headers=auth),
        client.get(
            BASE + waba + "/message_templates", params={"name": "hello_world"}, headers=auth
        ),
    ]
    return info["data"]["is_valid"] and all(a.status_code == 200 for a in answers)


def main() -> None:
    threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        rows = conn.execute(SQL).fetchall()
    with httpx.Client(timeout=30) as client, ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(lambda row: check(client, *row), rows))
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
